//! The daily digest: many notices in one plain-text e-mail, against notification noise.
//!
//! Notices with the same subject are one group (numbered, in order of first appearance, with a
//! count), the text is wrapped to 72 columns for plain-text mail clients, and links stay whole on
//! lines of their own so clients can make them clickable.

use std::fmt::Write as _;

/// Column at which digest text is wrapped (RFC 5322 recommends lines of at most 78 characters).
const WIDTH: usize = 72;
/// Indentation of a group's notices under its numbered heading.
const INDENT: &str = "   ";

/// One notification as the digest shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What it is about; notices with equal subjects are grouped.
    pub subject: String,
    /// The explanation, plain text; line breaks separate paragraphs.
    pub text: String,
    /// Where to read more, shown unwrapped.
    pub link: Option<String>,
}

/// The subject and body of the digest of `notices` under `title` (for example
/// "Clearinghouse daily digest, 2026-11-20").
pub fn render_digest(title: &str, notices: &[Notice]) -> (String, String) {
    let title = single_line(title);
    let mut groups: Vec<(String, Vec<&Notice>)> = Vec::new();
    for notice in notices {
        let subject = single_line(&notice.subject);
        match groups.iter_mut().find(|(s, _)| *s == subject) {
            Some((_, members)) => members.push(notice),
            None => groups.push((subject, vec![notice])),
        }
    }

    let subject = match notices.len() {
        0 => format!("{title}: nothing new"),
        1 => format!("{title}: 1 notification"),
        n => format!("{title}: {n} notifications"),
    };

    let mut text = String::new();
    text.push_str(&title);
    text.push('\n');
    text.push_str(&"=".repeat(title.chars().count().clamp(1, WIDTH)));
    text.push_str("\n\n");
    if notices.is_empty() {
        text.push_str("Nothing new since the last digest.\n");
        return (subject, text);
    }
    let _ = writeln!(
        text,
        "{} in {}.",
        plural(notices.len(), "notification"),
        plural(groups.len(), "topic")
    );
    for (number, (group_subject, members)) in groups.iter().enumerate() {
        text.push('\n');
        let heading = if members.len() > 1 {
            format!("{}. {group_subject} ({})", number + 1, members.len())
        } else {
            format!("{}. {group_subject}", number + 1)
        };
        for line in wrap(&heading, WIDTH, INDENT) {
            text.push_str(&line);
            text.push('\n');
        }
        for (index, notice) in members.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            for paragraph in notice.text.lines().filter(|l| !l.trim().is_empty()) {
                for line in wrap(paragraph, WIDTH - INDENT.len(), "") {
                    text.push_str(INDENT);
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            if let Some(link) = &notice.link {
                text.push_str(INDENT);
                text.push_str(&single_line(link));
                text.push('\n');
            }
        }
    }
    (subject, text)
}

/// "1 notification", "3 notifications".
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Control characters (line breaks included) become spaces, runs of whitespace one space.
fn single_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Greedy word wrap at `width` characters; continuation lines start with `continuation`.
/// A word longer than the width (a URL, a hash) gets a line of its own rather than being cut.
fn wrap(text: &str, width: usize, continuation: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_len = 0;
    let mut has_word = false;
    for word in single_line(text).split(' ').filter(|w| !w.is_empty()) {
        let word_len = word.chars().count();
        if has_word && line_len + 1 + word_len > width {
            lines.push(std::mem::take(&mut line));
            line.push_str(continuation);
            line_len = continuation.chars().count();
            has_word = false;
        }
        if has_word {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(word);
        line_len += word_len;
        has_word = true;
    }
    if has_word {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_whole_and_indents_continuations() {
        let text = "one two three four five six seven eight nine ten";
        assert_eq!(
            wrap(text, 14, "  "),
            vec![
                "one two three",
                "  four five",
                "  six seven",
                "  eight nine",
                "  ten"
            ]
        );
        let url = "https://example.org/a/very/long/path/that/does/not/fit";
        assert_eq!(
            wrap(&format!("see {url} now"), 20, ""),
            vec!["see", url, "now"]
        );
        assert_eq!(
            wrap(&format!("a {url}"), 20, "  "),
            vec!["a".to_owned(), format!("  {url}")]
        );
        assert!(wrap("  \n ", 10, "").is_empty());
    }

    #[test]
    fn width_counts_characters_not_bytes() {
        assert_eq!(wrap("äöü äöü äöü", 7, ""), vec!["äöü äöü", "äöü"]);
    }

    #[test]
    fn single_line_removes_header_breaking_characters() {
        assert_eq!(single_line("a\r\nBcc: x@y.org\t b"), "a Bcc: x@y.org b");
    }
}
