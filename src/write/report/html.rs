//! HTML of a page: the document skeleton (head with its content security policy, title band, table of
//! contents, sections, footer with the timing line), the stylesheet, and escaping of every piece of text.

use std::fmt::Write as _;

use super::page::{Block, Page, Table};

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The stylesheet: a system font stack, zebra tables with right-aligned tabular numbers, charts scaled
/// to the page, and a print layout without the coloured header and the contents.
const CSS: &str = r#"
:root{--fg:#1c2430;--muted:#5d6778;--line:#d9dee6;--zebra:#f4f6f9;--head:#eef2f7;--accent:#1d4f86;--band:#16324f}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:#fff;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif}
header.top{background:var(--band);color:#fff;padding:26px 0 20px}
header.top .wrap,main,footer{max-width:1120px;margin:0 auto;padding-left:32px;padding-right:32px}
header.top h1{margin:0;font-size:27px;font-weight:650;letter-spacing:-.01em}
header.top p{margin:6px 0 0;color:#c7d4e3}
nav.toc{border-bottom:1px solid var(--line);background:#fafbfc}
nav.toc ol{list-style:none;margin:0 auto;max-width:1120px;padding:10px 32px;display:flex;flex-wrap:wrap;gap:4px 22px;font-size:14px}
nav.toc a{color:var(--accent);text-decoration:none}
nav.toc a:hover{text-decoration:underline}
main{padding-top:4px;padding-bottom:24px}
section{margin-top:30px}
h2{font-size:21px;font-weight:650;margin:0 0 12px;padding-bottom:5px;border-bottom:2px solid var(--line)}
h3{font-size:16px;font-weight:650;margin:22px 0 6px}
p{margin:8px 0;max-width:78ch}
.scroll{overflow-x:auto;margin:10px 0 18px}
table{border-collapse:collapse;width:100%;font-size:14px;font-variant-numeric:tabular-nums}
caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:13px;padding-top:6px}
th,td{padding:6px 8px;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
thead th{background:var(--head);font-weight:600;font-size:13px;border-bottom:2px solid #c3ccd8;vertical-align:bottom}
tbody tr:nth-child(even){background:var(--zebra)}
th.num,td.num{text-align:right}
td.num{white-space:nowrap}
.ci{display:block;color:var(--muted);font-size:12px;white-space:nowrap}
td:not(.num) .ci{white-space:normal}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:5px 24px;margin:10px 0;font-size:14px}
dl.kv dt{font-weight:600;color:var(--muted)}
dl.kv dd{margin:0}
pre{margin:10px 0;padding:12px 14px;background:#f6f8fa;border:1px solid var(--line);border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
details{margin:10px 0}
details summary{cursor:pointer;color:var(--accent);font-size:14px}
ul.notes{margin:10px 0;padding:8px 14px 8px 32px;background:#fff7e0;border-left:4px solid #d9a400;font-size:14px}
figure{margin:18px 0 26px;padding:0}
figure svg{display:block;max-width:100%;height:auto;margin:0 auto;border:1px solid var(--line)}
figcaption{color:var(--muted);font-size:13px;margin-top:6px;text-align:center}
footer{color:var(--muted);font-size:13px;padding-bottom:30px}
footer::before{content:"";display:block;border-top:1px solid var(--line);margin-bottom:10px}
footer p{margin:4px 0;max-width:none}
@media print{
body{font-size:10.5pt}
header.top{background:none;color:#000;padding:0 0 8px;border-bottom:2px solid #000}
header.top p{color:#333}
header.top .wrap,main,footer{max-width:none;padding-left:0;padding-right:0}
nav.toc{display:none}
.scroll{overflow:visible}
table,figure,dl.kv,pre{break-inside:avoid}
h2,h3{break-after:avoid}
tbody tr:nth-child(even){background:#f2f2f2;-webkit-print-color-adjust:exact;print-color-adjust:exact}
table{font-size:8pt}
thead th{font-size:7.5pt}
th,td{padding:3px 4px}
.ci,td:not(.num) .ci{font-size:7pt;white-space:normal}
dl.kv{font-size:9pt}
pre{font-size:8pt}
}
"#;

/// Renders a page as one self-contained HTML document. The same page always gives the same bytes.
pub fn render(page: &Page) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Nothing may be fetched or run: the report is complete as it is.
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"nines {}\">",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&page.title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    out.push_str("<header class=\"top\"><div class=\"wrap\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&page.title));
    if let Some(s) = &page.subtitle {
        let _ = writeln!(out, "<p>{}</p>", escape(s));
    }
    out.push_str("</div></header>\n");
    let ids: Vec<String> = page
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| section_id(i, &s.heading))
        .collect();
    if page.sections.len() > 1 {
        out.push_str("<nav class=\"toc\" aria-label=\"Contents\"><ol>\n");
        for (s, id) in page.sections.iter().zip(&ids) {
            let _ = writeln!(out, "<li><a href=\"#{id}\">{}</a></li>", escape(&s.heading));
        }
        out.push_str("</ol></nav>\n");
    }
    out.push_str("<main>\n");
    let mut figure = 0;
    for (s, id) in page.sections.iter().zip(&ids) {
        let _ = writeln!(out, "<section id=\"{id}\">");
        let _ = writeln!(out, "<h2>{}</h2>", escape(&s.heading));
        for b in &s.blocks {
            block(&mut out, b, &mut figure);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n<footer>\n");
    let _ = writeln!(
        out,
        "<p>Made by nines {} (Monte Carlo availability simulator). Every estimate comes from the replications of the run, with its 95% confidence interval.</p>",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(t) = &page.timing {
        // Alone on its line: the only one that differs between runs of the same inputs.
        let _ = writeln!(
            out,
            "<p class=\"timing\">{}</p>",
            escape(&t.replace('\n', " "))
        );
    }
    out.push_str("</footer>\n</body>\n</html>\n");
    out
}

/// A stable, unique fragment id for a section: its position and its heading's letters and digits.
fn section_id(i: usize, heading: &str) -> String {
    let mut slug = String::new();
    for c in heading.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("s{}", i + 1)
    } else {
        format!("s{}-{slug}", i + 1)
    }
}

fn block(out: &mut String, b: &Block, figure: &mut usize) {
    match b {
        Block::Paragraph(t) => {
            let _ = writeln!(out, "<p>{}</p>", escape(t));
        }
        Block::Subheading(t) => {
            let _ = writeln!(out, "<h3>{}</h3>", escape(t));
        }
        Block::Table(t) => table(out, t),
        Block::Svg { title, svg } => {
            *figure += 1;
            let _ = writeln!(
                out,
                "<figure class=\"chart\" aria-label=\"{}\">",
                escape(title)
            );
            match svg.find("<svg") {
                Some(at) => {
                    out.push_str(svg[at..].trim_end());
                    out.push('\n');
                }
                None => {
                    let _ = writeln!(out, "<p>(this chart is not an SVG document)</p>");
                }
            }
            let _ = writeln!(
                out,
                "<figcaption>Figure {figure}. {}</figcaption>\n</figure>",
                escape(title)
            );
        }
        Block::KeyValues(kv) => {
            out.push_str("<dl class=\"kv\">\n");
            for (k, v) in kv {
                let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
            }
            out.push_str("</dl>\n");
        }
        Block::Pre(t) => {
            let _ = writeln!(out, "<pre>{}</pre>", escape(t.trim_end()));
        }
        Block::Details { summary, text } => {
            let _ = writeln!(
                out,
                "<details>\n<summary>{}</summary>\n<pre>{}</pre>\n</details>",
                escape(summary),
                escape(text.trim_end())
            );
        }
        Block::Notes(notes) => {
            if notes.is_empty() {
                return;
            }
            out.push_str("<ul class=\"notes\">\n");
            for n in notes {
                let _ = writeln!(out, "<li>{}</li>", escape(n));
            }
            out.push_str("</ul>\n");
        }
    }
}

fn table(out: &mut String, t: &Table) {
    let numeric = |j: usize| {
        t.rows
            .first()
            .and_then(|r| r.get(j))
            .is_some_and(|c| c.numeric)
    };
    let class = |num: bool| if num { " class=\"num\"" } else { "" };
    out.push_str("<div class=\"scroll\"><table>\n");
    if let Some(c) = &t.caption {
        let _ = writeln!(out, "<caption>{}</caption>", escape(c));
    }
    out.push_str("<thead><tr>");
    for (j, h) in t.header.iter().enumerate() {
        let _ = write!(
            out,
            "<th scope=\"col\"{}>{}</th>",
            class(numeric(j)),
            escape(h)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            let _ = write!(out, "<td{}>{}", class(c.numeric), escape(&c.text));
            if let Some(d) = &c.detail {
                let _ = write!(out, "<span class=\"ci\">{}</span>", escape(d));
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::report::page::{Cell, Section};

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn section_ids_are_unique_and_safe() {
        assert_eq!(
            section_id(0, "How to read this report"),
            "s1-how-to-read-this-report"
        );
        assert_eq!(section_id(3, "<>\"'"), "s4");
        assert_eq!(section_id(1, "Über & co"), "s2-ber-co");
    }

    #[test]
    fn svg_prolog_is_dropped_and_text_escaped() {
        let page = Page {
            title: "t & <u>".into(),
            subtitle: None,
            sections: vec![Section::new(
                "s",
                vec![
                    Block::Svg {
                        title: "a <chart>".into(),
                        svg: "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg viewBox=\"0 0 1 1\"></svg>\n".into(),
                    },
                    Block::Notes(vec!["<script>".into()]),
                    Block::Details {
                        summary: "file".into(),
                        text: "a = \"</pre>\"".into(),
                    },
                ],
            )],
            timing: Some("1s\n2 threads".into()),
        };
        let html = render(&page);
        assert!(!html.contains("<?xml"));
        assert!(!html.contains("DOCTYPE svg"));
        assert!(html.contains(
            "<svg viewBox=\"0 0 1 1\"></svg>\n<figcaption>Figure 1. a &lt;chart&gt;</figcaption>"
        ));
        assert!(html.contains("<title>t &amp; &lt;u&gt;</title>"));
        assert!(html.contains("<li>&lt;script&gt;</li>"));
        assert!(html.contains("a = &quot;&lt;/pre&gt;&quot;"));
        assert!(html.contains("<p class=\"timing\">1s 2 threads</p>\n"));
        // One section: no table of contents.
        assert!(!html.contains("<nav"));
    }

    #[test]
    fn numeric_columns_align_right_with_their_header() {
        let mut out = String::new();
        table(
            &mut out,
            &Table {
                header: vec!["name".into(), "value".into()],
                rows: vec![vec![Cell::text("a"), Cell::number("1")]],
                caption: None,
            },
        );
        assert!(
            out.contains("<th scope=\"col\">name</th><th scope=\"col\" class=\"num\">value</th>")
        );
        assert!(out.contains("<td>a</td><td class=\"num\">1</td>"));
    }
}
