//! Names that a reader could take for one another: equal but for case, or for characters that look
//! alike (Cyrillic `о` for Latin `o`, a zero-width space). Valid, so a warning, not an error.

use std::collections::BTreeMap;

use crate::model::Model;

/// A warning for each group of names of one scenario (components, roles, services, crews) that differ
/// only by case or by look-alike characters.
pub(super) fn look_alikes(model: &Model) -> Vec<String> {
    let names = model
        .components
        .iter()
        .map(|c| c.name.as_str())
        .chain(model.roles.iter().map(|r| r.name.as_str()))
        .chain(model.services.iter().map(|s| s.name.as_str()))
        .chain(model.crews.iter().map(|c| c.name.as_str()));
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for n in names {
        let g = groups.entry(skeleton(n)).or_default();
        if !g.contains(&n) {
            g.push(n);
        }
    }
    groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|g| {
            let shown: Vec<String> = g.iter().map(|n| format!("{n:?}")).collect();
            format!(
                "names {} differ only by case or by look-alike characters; readers of the tables will take them for one another",
                shown.join(" and ")
            )
        })
        .collect()
}

/// The name folded to what a reader sees: lower case, look-alike letters and digits mapped to one
/// ASCII form, invisible characters dropped.
fn skeleton(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            // Zero-width and other invisible formatting characters.
            '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}' => None,
            // Cyrillic and Greek letters that look like Latin ones.
            'а' | 'α' => Some('a'),
            'в' | 'β' => Some('b'),
            'с' | 'ϲ' => Some('c'),
            'е' | 'ε' => Some('e'),
            'н' | 'η' => Some('h'),
            'і' | 'ι' | 'ı' | 'l' | '1' | '|' => Some('l'),
            'ј' => Some('j'),
            'к' | 'κ' => Some('k'),
            'м' | 'μ' => Some('m'),
            'о' | 'ο' | '0' => Some('o'),
            'р' | 'ρ' => Some('p'),
            'ѕ' => Some('s'),
            'т' | 'τ' => Some('t'),
            'у' | 'υ' | 'γ' => Some('y'),
            'х' | 'χ' => Some('x'),
            // Dashes and hyphens that look like `-`.
            '\u{2010}'..='\u{2015}' | '\u{2212}' => Some('-'),
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::skeleton;

    #[test]
    fn look_alikes_fold_together_and_others_do_not() {
        assert_eq!(skeleton("SQL-1"), skeleton("sql-1"));
        assert_eq!(skeleton("web"), skeleton("wеb")); // Cyrillic е
        assert_eq!(skeleton("db\u{200b}1"), skeleton("db1"));
        assert_eq!(skeleton("node−1"), skeleton("node-1")); // minus sign
        assert_ne!(skeleton("web-1"), skeleton("web-2"));
        assert_ne!(skeleton("sql"), skeleton("sqm"));
    }
}
