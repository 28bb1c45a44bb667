//! What tells two stories apart however alike their words: the numbers, places and people an
//! article names. "천안시의회, 추경 예산안 통과" and "아산시의회, 추경 예산안 통과", or "원도심을 걷다
//! (1)" and "(2)", share nearly every word and are still two articles. Read once per article from
//! its title and lede (through [`super::lexicon`]), compared only on the pairs that dedup and
//! clustering already found alike.
//!
//! A [`Conflict`] is a value rather than a yes or no, so that a record of merge decisions can say
//! which evidence kept two articles apart.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use super::lexicon::{
    ENGLISH_PERSON_TITLES, LOCAL_UNIT_ENDINGS, PARTICLES, PEOPLE, PERSON_TITLES, PLACE_ENDINGS,
    PLACES, PLACES_WITH_ENDING,
};
use std::borrow::Cow;

use super::text::{Number, lede, numbers, with_full_forms};

/// An article's comparable title and its lede as evidence and clustering read them: short forms
/// as their full form, ASCII lowercase.
pub fn read<'a>(title: &'a str, summary: Option<&'a str>) -> (Cow<'a, str>, Cow<'a, str>) {
    (
        with_full_forms(title),
        with_full_forms(lede(summary.unwrap_or_default())),
    )
}

/// The evidence of one article (or of a story: what its articles name together).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Numbers in the title.
    pub title_numbers: Vec<Number>,
    /// Numbers in the title and lede.
    pub numbers: Vec<Number>,
    /// Places named in the title and lede, each in the one form [`PLACES`] gives it.
    pub places: Vec<Box<str>>,
    /// People named in the title and lede.
    pub people: Vec<Box<str>>,
}

/// Why two articles are two stories.
#[derive(Debug, Clone, PartialEq)]
pub enum Conflict {
    /// The titles differ in a number ("(1)" and "(2)", draw 1150 and 1151, 2,900 and 2,950), or
    /// both texts name numbers and share none.
    Numbers { a: Vec<Number>, b: Vec<Number> },
    /// Each names a place the other does not.
    Places { a: Vec<Box<str>>, b: Vec<Box<str>> },
    /// Each names a person the other does not.
    People { a: Vec<Box<str>>, b: Vec<Box<str>> },
}

impl Evidence {
    /// The evidence of an article whose comparable title is `title`, with its summary.
    pub fn of(title: &str, summary: Option<&str>) -> Evidence {
        let (title, lede) = read(title, summary);
        Evidence::new(&title, &lede)
    }

    /// The evidence of an article whose title and lede are `title` and `lede`, as [`read`] gives
    /// them.
    pub fn new(title: &str, lede: &str) -> Evidence {
        let title_numbers = numbers(title);
        let mut all = title_numbers.clone();
        all.extend(numbers(lede));
        all.sort_unstable();
        all.dedup();
        let mut places = BTreeSet::new();
        let mut people = BTreeSet::new();
        for text in [title, lede] {
            read_names(text, &mut places, &mut people);
        }
        Evidence {
            title_numbers,
            numbers: all,
            places: places.into_iter().collect(),
            people: people.into_iter().collect(),
        }
    }

    /// Why the articles of `self` and `other` are two stories, if anything says so. Only for
    /// articles whose words already match: evidence never joins, it only keeps apart.
    pub fn conflict(&self, other: &Evidence) -> Option<Conflict> {
        let title_missing = |title: &[Number], text: &[Number]| {
            !text.is_empty() && title.iter().any(|n| text.binary_search(n).is_err())
        };
        let disjoint = !self.numbers.is_empty()
            && !other.numbers.is_empty()
            && !self
                .numbers
                .iter()
                .any(|n| other.numbers.binary_search(n).is_ok());
        if title_missing(&self.title_numbers, &other.numbers)
            || title_missing(&other.title_numbers, &self.numbers)
            || disjoint
        {
            return Some(Conflict::Numbers {
                a: self.title_numbers.clone(),
                b: other.title_numbers.clone(),
            });
        }
        self.names_conflict(other)
    }

    /// The places and people part of [`Evidence::conflict`]: each side names one the other does
    /// not.
    fn names_conflict(&self, other: &Evidence) -> Option<Conflict> {
        if each_has_its_own(&self.places, &other.places) {
            return Some(Conflict::Places {
                a: self.places.clone(),
                b: other.places.clone(),
            });
        }
        if each_has_its_own(&self.people, &other.people) {
            return Some(Conflict::People {
                a: self.people.clone(),
                b: other.people.clone(),
            });
        }
        None
    }

    /// Why copies seen as near-identical titles are two articles: [`Evidence::conflict`], and
    /// titles whose numbers differ at all ("Economy story" and "Economy story 2" are a series
    /// in one feed). Holding every copy of an article to the same title numbers also keeps
    /// chains of copies from joining two numbers.
    pub fn copy_conflict(&self, other: &Evidence) -> Option<Conflict> {
        if self.title_numbers != other.title_numbers {
            return Some(Conflict::Numbers {
                a: self.title_numbers.clone(),
                b: other.title_numbers.clone(),
            });
        }
        self.conflict(other)
    }

    /// Why an article (`self`) cannot join a story whose articles together name `story`, though
    /// it matched the story's first article: with another of its articles it would name two
    /// numbers in titles (one article "story", another "story 1", and this one "story 2"), or
    /// places or people the story does not. Looser on numbers than [`Evidence::conflict`] (each
    /// side's title must name one the other's texts lack), as a story's articles together name
    /// more numbers than any one lede.
    pub fn story_conflict(&self, story: &Evidence) -> Option<Conflict> {
        let missing = |title: &[Number], text: &[Number]| {
            title.iter().any(|n| text.binary_search(n).is_err())
        };
        if missing(&self.title_numbers, &story.numbers)
            && missing(&story.title_numbers, &self.numbers)
        {
            return Some(Conflict::Numbers {
                a: self.title_numbers.clone(),
                b: story.title_numbers.clone(),
            });
        }
        self.names_conflict(story)
    }

    /// Adds what `other` names: a story's evidence as it grows.
    pub fn extend(&mut self, other: &Evidence) {
        union(&mut self.title_numbers, &other.title_numbers);
        union(&mut self.numbers, &other.numbers);
        union(&mut self.places, &other.places);
        union(&mut self.people, &other.people);
    }
}

/// Whether `a` and `b` (sorted) each hold something the other does not.
fn each_has_its_own<T: Ord>(a: &[T], b: &[T]) -> bool {
    let own = |x: &[T], y: &[T]| x.iter().any(|v| y.binary_search(v).is_err());
    own(a, b) && own(b, a)
}

/// `into` ∪ `from`, both sorted, without repeats.
fn union<T: Ord + Clone>(into: &mut Vec<T>, from: &[T]) {
    if from.iter().all(|v| into.binary_search(v).is_ok()) {
        return;
    }
    into.extend_from_slice(from);
    into.sort_unstable();
    into.dedup();
}

/// The first characters of every name in [`PLACES`] and [`PLACES_WITH_ENDING`], sorted.
static PLACE_STARTS: LazyLock<Vec<char>> = LazyLock::new(|| {
    let names = PLACES.iter().chain(PLACES_WITH_ENDING);
    let mut starts: Vec<char> = names.filter_map(|(name, _)| name.chars().next()).collect();
    starts.sort_unstable();
    starts.dedup();
    starts
});

/// The last characters of every [`PERSON_TITLES`] entry, sorted: a word ending in none of them
/// (particle aside) is no title.
static TITLE_ENDS: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut ends: Vec<char> = PERSON_TITLES
        .iter()
        .filter_map(|t| t.chars().last())
        .collect();
    ends.sort_unstable();
    ends.dedup();
    ends
});

/// Reads the places and people of `text` (comparable: lowercase, short forms read) into the sets.
fn read_names(text: &str, places: &mut BTreeSet<Box<str>>, people: &mut BTreeSet<Box<str>>) {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|word| !word.is_empty())
        .collect();
    let mut after_place = false;
    for (at, &word) in words.iter().enumerate() {
        let local = || local_unit(without_particle(word));
        let place = place(word).or_else(|| after_place.then(local).flatten());
        after_place = place.is_some();
        if let Some(place) = place {
            places.insert(place.into());
            continue;
        }
        if let Some(person) = person(&words, at) {
            people.insert(person.into());
        }
    }
}

/// The place a word names, as [`PLACES`] writes it: a word that starts with a place's name
/// ("대전시의회는" is 대전), or with one of [`PLACES_WITH_ENDING`] followed by one of
/// [`PLACE_ENDINGS`].
fn place(word: &str) -> Option<&'static str> {
    // Most words start with no place's first character: one lookup rules them out.
    let first = word.chars().next()?;
    if PLACE_STARTS.binary_search(&first).is_err() {
        return None;
    }
    let starts = |(name, place): &(&str, &'static str)| word.starts_with(name).then_some(*place);
    // The longest name first, so that "서구" never reads as part of something longer.
    let bare = PLACES
        .iter()
        .filter_map(starts)
        .max_by_key(|place| place.len());
    bare.or_else(|| {
        PLACES_WITH_ENDING.iter().find_map(|&(name, place)| {
            let rest = word.strip_prefix(name)?;
            let rest = without_particle(rest);
            PLACE_ENDINGS.contains(&rest).then_some(place)
        })
    })
}

/// A 읍·면·동 (a word ending in one of [`LOCAL_UNIT_ENDINGS`], particle aside, of two to four
/// syllables): only asked of a word right after a place.
fn local_unit(bare: &str) -> Option<&str> {
    let count = bare.chars().count();
    let last = bare.chars().last()?;
    ((2..=4).contains(&count) && LOCAL_UNIT_ENDINGS.contains(&last)).then_some(bare)
}

/// `word` without a particle at its end ("봉명동의" is 봉명동), if what remains is still a word.
fn without_particle(word: &str) -> &str {
    PARTICLES
        .iter()
        .find_map(|particle| {
            word.strip_suffix(particle)
                .filter(|rest| rest.chars().count() >= 2)
        })
        .unwrap_or(word)
}

/// The person named at `words[at]`: a name [`PEOPLE`] knows, a Korean word of two to four
/// syllables followed by a title ("이장우 대전시장", "홍길동 씨", "윤석열 전 대통령"), or an English
/// word after one ("mayor lee").
fn person<'a>(words: &[&'a str], at: usize) -> Option<&'a str> {
    let word = without_particle(words[at]);
    if PEOPLE.contains(&word) {
        return Some(word);
    }
    let is_title = |next: &str| {
        let next = without_particle(next);
        let last = next.chars().next_back();
        if last.is_none_or(|last| TITLE_ENDS.binary_search(&last).is_err()) {
            return false;
        }
        PERSON_TITLES.iter().any(|title| {
            next == *title
                || next
                    .strip_suffix(title)
                    .is_some_and(|place_part| place(place_part).is_some())
        })
    };
    let hangul = word.chars().all(super::text::is_hangul_syllable);
    let count = word.chars().count();
    if hangul && (2..=4).contains(&count) && place(word).is_none() && !is_title(word) {
        let next = words.get(at + 1).copied();
        let after = words.get(at + 2).copied();
        let titled =
            next.is_some_and(is_title) || (next == Some("전") && after.is_some_and(is_title));
        if titled {
            return Some(word);
        }
    }
    let previous = at.checked_sub(1).map(|before| words[before]);
    let english = word.chars().all(|c| c.is_ascii_alphabetic() || c == '-') && count >= 2;
    (english && previous.is_some_and(|title| ENGLISH_PERSON_TITLES.contains(&title)))
        .then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(title: &str, lede: &str) -> Evidence {
        Evidence::new(title, lede)
    }

    #[test]
    fn places_and_people_are_read_with_their_endings() {
        let e = evidence(
            "천안시의회, 추경 예산안 통과",
            "이장우 대전시장은 유성구 봉명동의 현장을 찾았다. 예산군수와 mayor kim도",
        );
        assert_eq!(
            e.places.iter().map(|p| &**p).collect::<Vec<_>>(),
            ["대전", "봉명동", "예산", "유성구", "천안"]
        );
        assert_eq!(
            e.people.iter().map(|p| &**p).collect::<Vec<_>>(),
            ["kim", "이장우"]
        );
        assert!(
            evidence("내년 예산 편성", "").places.is_empty(),
            "예산 alone is a budget"
        );
    }

    #[test]
    fn different_places_numbers_and_people_are_two_stories() {
        let a = evidence("천안시의회, 추경 예산안 통과", "");
        let b = evidence("아산시의회, 추경 예산안 통과", "");
        assert!(matches!(a.conflict(&b), Some(Conflict::Places { .. })));
        let a = evidence("대전 원도심을 걷다 (1)", "");
        let b = evidence("대전 원도심을 걷다 (2)", "");
        assert!(matches!(a.conflict(&b), Some(Conflict::Numbers { .. })));
        let a = evidence("김철수 의원 대전 방문", "");
        let b = evidence("박영희 의원 대전 방문", "");
        assert!(matches!(a.conflict(&b), Some(Conflict::People { .. })));
        // More detail on one side is no conflict.
        let a = evidence("대전 유성구 아파트 화재 주민 30명 대피", "");
        let b = evidence(
            "대전 유성구 아파트 화재",
            "2일 오후 대전 유성구 봉명동의 아파트에서 불이 나 주민 30여 명이 대피했다.",
        );
        assert_eq!(a.conflict(&b), None);
    }

    #[test]
    fn copies_hold_the_same_title_numbers() {
        let a = evidence("economy story", "");
        let b = evidence("economy story 2", "");
        assert_eq!(a.conflict(&b), None);
        assert!(a.copy_conflict(&b).is_some());
    }

    #[test]
    fn a_story_keeps_what_its_articles_named() {
        let mut story = evidence("economy story", "");
        story.extend(&evidence("economy story 1", ""));
        let two = evidence("economy story 2", "");
        assert!(two.story_conflict(&story).is_some());
        assert_eq!(evidence("economy story 1", "").story_conflict(&story), None);
    }
}
