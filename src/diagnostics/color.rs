//! Whether diagnostics are coloured: `--color auto|always|never`, where auto
//! means "stderr is a terminal and `NO_COLOR` is unset or empty"
//! (<https://no-color.org>).

use std::io::IsTerminal;

/// The `--color` setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// How a report is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// With ANSI colours.
    Color,
    /// Plain text.
    Plain,
}

impl ColorChoice {
    /// The style for stderr under this setting, in this process's
    /// environment.
    pub fn for_stderr(self) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        self.resolve(std::io::stderr().is_terminal(), no_color)
    }

    /// Whether stdout gets colour under this setting (`inspect`'s text).
    pub fn for_stdout(self) -> bool {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        self.resolve(std::io::stdout().is_terminal(), no_color) == Style::Color
    }

    /// The style given whether the stream is a terminal and whether
    /// `NO_COLOR` asks for none.
    pub fn resolve(self, terminal: bool, no_color: bool) -> Style {
        match self {
            ColorChoice::Always => Style::Color,
            ColorChoice::Never => Style::Plain,
            ColorChoice::Auto if terminal && !no_color => Style::Color,
            ColorChoice::Auto => Style::Plain,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colours_only_a_terminal_without_no_color() {
        assert_eq!(ColorChoice::Auto.resolve(true, false), Style::Color);
        assert_eq!(ColorChoice::Auto.resolve(true, true), Style::Plain);
        assert_eq!(ColorChoice::Auto.resolve(false, false), Style::Plain);
        assert_eq!(ColorChoice::Always.resolve(false, true), Style::Color);
        assert_eq!(ColorChoice::Never.resolve(true, false), Style::Plain);
    }
}
