//! The list of repairs made while reading (feedparser's "bozo"), deduplicated and capped so that a
//! broken document cannot grow it without bound.

/// At most this many distinct warnings are kept; one more line says how many were dropped.
const MAX_WARNINGS: usize = 50;

#[derive(Debug, Default)]
pub(crate) struct Warnings {
    list: Vec<String>,
    dropped: usize,
}

impl Warnings {
    pub fn push(&mut self, warning: String) {
        if self.list.contains(&warning) {
            return;
        }
        if self.list.len() < MAX_WARNINGS {
            self.list.push(warning);
        } else {
            self.dropped += 1;
        }
    }

    /// Adds `other`'s warnings after these.
    pub fn append(&mut self, other: Warnings) {
        for warning in other.into_vec() {
            self.push(warning);
        }
    }

    pub fn into_vec(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list
                .push(format!("{} more warnings not shown", self.dropped));
        }
        self.list
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.list.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupes_and_caps() {
        let mut w = Warnings::default();
        w.push("same".into());
        w.push("same".into());
        assert_eq!(w.len(), 1);
        for i in 0..100 {
            w.push(format!("w{i}"));
        }
        let v = w.into_vec();
        assert_eq!(v.len(), MAX_WARNINGS + 1);
        assert_eq!(
            v.last().map(String::as_str),
            Some("51 more warnings not shown")
        );
    }
}
