//! Program I/O shared by every tier: buffered output (no system call per `.`)
//! and buffered input with the end-of-input convention applied in one place.

use crate::error::RunError;
use crate::ir::{CellWidth, Value};
use std::io::{ErrorKind, Read, Write};

/// What `,` does at end of input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub enum EofMode {
    /// Leave the cell as it was (the default).
    #[default]
    Unchanged,
    /// Store 0.
    Zero,
    /// Store the cell's maximum (all bits set, -1).
    Max,
}

/// Output is flushed when this many bytes are pending.
const OUT_CAPACITY: usize = 1 << 16;

/// When output is passed on to the underlying stream (besides when the
/// buffer is full, before blocking on input, and at the end of the run).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub enum Buffering {
    /// Only then: for pipes and files, where fewer writes are faster.
    #[default]
    Block,
    /// Also after every newline, as C's stdio does on a terminal, so a
    /// program's progress shows line by line.
    Line,
}

/// The I/O state of one run.
pub struct Io<'a> {
    input: &'a mut dyn Read,
    output: &'a mut dyn Write,
    out_buf: Vec<u8>,
    in_buf: Box<[u8]>,
    in_pos: usize,
    in_len: usize,
    in_done: bool,
    eof: EofMode,
    cell: CellWidth,
    /// Pending bytes below which [`Io::try_put`] queues a byte with no
    /// other test: `OUT_CAPACITY - 1` for block buffering, so pipes and
    /// files pay one compare a byte and never look at it; 0 for line
    /// buffering, whose bytes all take the newline test. Settled once.
    fast_room: usize,
}

impl<'a> Io<'a> {
    /// I/O over the given streams, with an EOF convention and cell width.
    pub fn new(
        input: &'a mut dyn Read,
        output: &'a mut dyn Write,
        eof: EofMode,
        cell: CellWidth,
    ) -> Io<'a> {
        Io {
            input,
            output,
            out_buf: Vec::with_capacity(OUT_CAPACITY),
            in_buf: vec![0; 1 << 14].into_boxed_slice(),
            in_pos: 0,
            in_len: 0,
            in_done: false,
            eof,
            cell,
            fast_room: OUT_CAPACITY - 1,
        }
    }

    /// This I/O with output buffered as `buffering` says.
    pub fn buffered(mut self, buffering: Buffering) -> Io<'a> {
        self.fast_room = match buffering {
            Buffering::Block => OUT_CAPACITY - 1,
            Buffering::Line => 0,
        };
        self
    }

    /// Queues one output byte (the low 8 bits of a cell).
    #[inline]
    pub fn put(&mut self, value: Value) -> Result<(), RunError> {
        if self.try_put(value) {
            Ok(())
        } else {
            self.put_and_flush(value)
        }
    }

    /// The fast path of [`Io::put`], small enough to inline into a dispatch
    /// loop: queues the byte and returns true, unless this byte needs a
    /// flush after it (the buffer fills, or line buffering and a newline);
    /// then it does nothing and returns false, and the caller calls
    /// [`Io::put_and_flush`]. Block buffering tests only the buffer's room.
    #[inline]
    pub fn try_put(&mut self, value: Value) -> bool {
        let byte = value as u8;
        if self.out_buf.len() < self.fast_room {
            self.out_buf.push(byte);
            return true;
        }
        self.put_line(byte)
    }

    /// Line buffering's part of [`Io::try_put`] (and a full buffer's: its
    /// last byte is queued by [`Io::put_and_flush`]).
    #[inline]
    fn put_line(&mut self, byte: u8) -> bool {
        if self.out_buf.len() + 1 < OUT_CAPACITY && byte != b'\n' {
            self.out_buf.push(byte);
            true
        } else {
            false
        }
    }

    /// Queues one output byte and flushes: the slow path of [`Io::put`].
    #[cold]
    #[inline(never)]
    pub fn put_and_flush(&mut self, value: Value) -> Result<(), RunError> {
        self.out_buf.push(value as u8);
        self.flush()
    }

    /// Writes all pending output through to the underlying stream.
    pub fn flush(&mut self) -> Result<(), RunError> {
        let result = self
            .output
            .write_all(&self.out_buf)
            .and_then(|()| self.output.flush());
        self.out_buf.clear();
        result.map_err(|e| match e.kind() {
            ErrorKind::BrokenPipe => RunError::OutputClosed,
            _ => RunError::Io(e.to_string()),
        })
    }

    /// The value `,` stores into a cell that held `old`.
    #[inline]
    pub fn input(&mut self, old: Value) -> Result<Value, RunError> {
        if self.in_pos == self.in_len && !self.refill()? {
            return Ok(match self.eof {
                EofMode::Unchanged => old,
                EofMode::Zero => 0,
                EofMode::Max => self.cell.max(),
            });
        }
        let b = self.in_buf[self.in_pos];
        self.in_pos += 1;
        Ok(b as Value)
    }

    /// Reads more input; false at end of input.
    #[cold]
    fn refill(&mut self) -> Result<bool, RunError> {
        if self.in_done {
            return Ok(false);
        }
        // An interactive program's prompt must be visible before we block.
        self.flush()?;
        loop {
            match self.input.read(&mut self.in_buf) {
                Ok(0) => {
                    self.in_done = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.in_pos = 0;
                    self.in_len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(RunError::Io(format!("reading input: {e}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A writer that records the size of every write it gets.
    struct Writes<'a>(&'a RefCell<Vec<usize>>);

    impl Write for Writes<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if !buf.is_empty() {
                self.0.borrow_mut().push(buf.len());
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn writes(buffering: Buffering, text: &[u8]) -> Vec<usize> {
        let sizes = RefCell::new(Vec::new());
        let mut input = std::io::empty();
        let mut output = Writes(&sizes);
        let mut io =
            Io::new(&mut input, &mut output, EofMode::Zero, CellWidth::U8).buffered(buffering);
        for &b in text {
            io.put(Value::from(b)).unwrap();
        }
        io.flush().unwrap();
        drop(io);
        sizes.into_inner()
    }

    #[test]
    fn line_buffering_writes_each_line_as_it_ends() {
        assert_eq!(writes(Buffering::Line, b"ab\ncd\n\nx"), [3, 3, 1, 1]);
    }

    #[test]
    fn block_buffering_writes_once_until_the_buffer_fills() {
        assert_eq!(writes(Buffering::Block, b"ab\ncd\n\nx"), [8]);
        let big = vec![b'\n'; OUT_CAPACITY + 1];
        assert_eq!(writes(Buffering::Block, &big), [OUT_CAPACITY, 1]);
    }
}
