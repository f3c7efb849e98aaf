use ir_passes::ir::CellWidth;
use ir_passes::parse::parse;
use ir_passes::passes::PASSES;
use ir_passes::print::print;

#[test]
#[ignore]
fn docgen() {
    let examples = [
        ("fold_runs", "+++>>-+<<<>."),
        ("clear_loops", ",[-]>,[+++]>,[--]"),
        ("scan_loops", "+[>>]<[<]"),
        ("mul_loops", ",[->+>+++<<]>[-<+>]>,[--->+<]"),
        ("offsets", ",>+>++<.<[->>+<<]"),
        ("set_fold", ",[-]+++>++<+>[-]-<.>>+++[->+++++<]>[-]"),
        ("dead_code", "[.]+[<][.]>[-][+]"),
        ("known_values", "++++[->++<]>[<+>[-]]<.,[>+<[-]]"),
    ];
    for (name, bf) in examples {
        let mut p = parse("d", bf.as_bytes(), CellWidth::U8).unwrap();
        // Everything before this pass in the pipeline order.
        for pass in PASSES.iter().take_while(|p| p.name != name) {
            p = (pass.run)(p);
        }
        let pass = PASSES.iter().find(|p| p.name == name).unwrap();
        let before = print(&p);
        let after = print(&(pass.run)(p));
        println!("### {name}\nBF: {bf}\n--before--\n{before}--after--\n{after}");
    }
}

#[test]
#[ignore]
fn timing() {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(|| {
            let text = std::fs::read("/work/shared/bf-corpus/large/lostkingdom.b").unwrap();
            let mut big = Vec::new();
            for _ in 0..3 {
                big.extend_from_slice(&text);
            }
            let deep = format!(
                "{}{}{}",
                "+[>+<-".repeat(100_000),
                "[-]>[>]<[->++<]",
                "]".repeat(100_000)
            );
            for (name, t) in [("lostkingdom x3", big), ("deep", deep.into_bytes())] {
                let p = parse("t", &t, CellWidth::U8).unwrap();
                let start = std::time::Instant::now();
                let o = ir_passes::pipeline::Pipeline::level(2).run(p, false);
                println!(
                    "{name}: {} bytes, {:?}, {} ops",
                    t.len(),
                    start.elapsed(),
                    o.program.op_count()
                );
                for s in &o.snapshots {
                    print!("{}:{:?} ", s.pass, s.time);
                }
                println!();
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
