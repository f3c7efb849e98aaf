//! The page itself: the data as JSON inside a `<script>` element, with the
//! page's CSS and JavaScript inline, so the file opens anywhere, offline.

use super::page::Page;

/// The page's stylesheet.
const CSS: &str = include_str!("page.css");
/// The page's script: it reads the data and draws every panel.
const JS: &str = include_str!("page.js");

/// The whole HTML document for `page`.
pub fn render(page: &Page) -> String {
    let data = serde_json::to_string(page)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialize the page: {e}\"}}"));
    let title = escape(&format!("bfjit explore: {}", page.file));
    let mut out = String::with_capacity(data.len() + CSS.len() + JS.len() + 4096);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n"
    ));
    out.push_str(BODY);
    // `</` inside a script element would end it; `<\/` is the same JSON.
    out.push_str("<script type=\"application/json\" id=\"data\">");
    out.push_str(&data.replace("</", "<\\/").replace("<!--", "<\\!--"));
    out.push_str("</script>\n<script>\n");
    out.push_str(JS);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// Text safe inside HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The panels, empty until the script fills them.
const BODY: &str = r#"<body>
<header id="top"><h1>bfjit explore</h1><span id="summary"></span><div id="notes"></div></header>
<main>
<section id="left" class="col">
  <div class="panel" id="hot-panel"><h2>Hottest loops <small id="heat-note"></small></h2><ol id="hot"></ol></div>
  <div class="panel grow" id="source-panel"><h2>Source <small>shaded by instructions executed</small></h2><div id="source" class="listing"></div></div>
</section>
<section id="middle" class="col">
  <div class="panel" id="passes-panel"><h2>Pass pipeline <small id="passes-note"></small></h2><ol id="passes"></ol></div>
  <div class="panel grow"><h2>IR <span class="tabs" id="ir-mode"><button data-mode="after" class="on">after</button><button data-mode="diff">diff</button></span> <small id="ir-title"></small></h2><div id="ir" class="listing"></div></div>
</section>
<section id="right" class="col">
  <div class="panel" id="code-panel"><h2>JIT code <span class="tabs" id="tier-tabs"></span> <select id="function"></select></h2>
    <div id="tier-summary"></div><table id="loops"></table></div>
  <div class="panel grow"><h2>CLIF <small>as Cranelift compiled it</small></h2><div id="clif" class="listing"></div></div>
  <div class="panel grow"><h2>Machine code <small>x86-64</small></h2><div id="asm" class="listing"></div></div>
</section>
</main>
<section id="bottom">
  <div class="panel" id="cfg-panel"><h2>Control-flow graph <small id="cfg-title"></small></h2><div id="cfg"></div></div>
  <div class="panel" id="tiered-panel"><h2>Tiered execution</h2><div id="tiered"></div></div>
</section>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup() {
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
