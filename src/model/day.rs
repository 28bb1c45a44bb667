//! Which instants belong to a digest day, and when its digest is due. Pure.
//!
//! The digest of date D holds the items dated in `[D 00:00, D+1 00:00)` local time in the digest's
//! zone: start included, end excluded, so an item at 23:59:59 is on D and one at 00:00:00 is on
//! D+1. A day is 23 or 25 hours long across a DST change. It is sent at `time` on D+1, when the
//! day is complete.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// One calendar day in one zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub tz: Tz,
}

impl Day {
    pub fn new(date: NaiveDate, tz: Tz) -> Day {
        Day { date, tz }
    }

    /// The last day that is over at `now`: yesterday, local time.
    pub fn last_complete(now: DateTime<Utc>, tz: Tz) -> Day {
        let today = now.with_timezone(&tz).date_naive();
        Day::new(today.pred_opt().unwrap_or(today), tz)
    }

    /// The latest day whose digest was due at or before `now` (sent at `time` the day after).
    pub fn latest_due(now: DateTime<Utc>, tz: Tz, time: NaiveTime) -> Day {
        let yesterday = Day::last_complete(now, tz);
        if yesterday.send_at(time) <= now {
            yesterday
        } else {
            yesterday.previous()
        }
    }

    pub fn previous(self) -> Day {
        Day::new(self.date.pred_opt().unwrap_or(self.date), self.tz)
    }

    pub fn next(self) -> Day {
        Day::new(self.date.succ_opt().unwrap_or(self.date), self.tz)
    }

    /// Local midnight starting the day.
    pub fn start(self) -> DateTime<Utc> {
        local_instant(self.tz, self.date.and_time(NaiveTime::MIN))
    }

    /// Local midnight starting the next day: the first instant not in this one.
    pub fn end(self) -> DateTime<Utc> {
        self.next().start()
    }

    pub fn contains(self, instant: DateTime<Utc>) -> bool {
        self.start() <= instant && instant < self.end()
    }

    /// When this day's digest is due: `time` on the next day.
    pub fn send_at(self, time: NaiveTime) -> DateTime<Utc> {
        let next = self
            .date
            .checked_add_days(Days::new(1))
            .unwrap_or(self.date);
        local_instant(self.tz, next.and_time(time))
    }
}

/// The instant of a local time. Of a repeated time (DST ends) the first; of a skipped one (DST
/// starts, some zones skip midnight itself) the first local time after the gap.
fn local_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    // Gaps are at most a few hours; a day of minutes covers any zone's history.
    (0..=24 * 60)
        .find_map(|minutes| {
            tz.from_local_datetime(&(local + TimeDelta::minutes(minutes)))
                .earliest()
        })
        .map_or_else(|| local.and_utc(), |instant| instant.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn a_seoul_day_is_midnight_to_midnight_kst() {
        let day = Day::new(date("2026-01-11"), Tz::Asia__Seoul);
        assert_eq!(day.start(), utc("2026-01-10T15:00:00Z"));
        assert_eq!(day.end(), utc("2026-01-11T15:00:00Z"));
        assert!(day.contains(utc("2026-01-11T14:59:00Z")), "23:59 KST");
        assert!(!day.contains(utc("2026-01-11T15:01:00Z")), "00:01 KST");
        assert!(!day.contains(day.end()), "the end is the next day's");
        assert!(day.contains(day.start()));
        assert_eq!(day.send_at(hm(7, 0)), utc("2026-01-11T22:00:00Z"));
    }

    #[test]
    fn new_york_days_follow_dst() {
        let tz = Tz::America__New_York;
        let spring = Day::new(date("2026-03-08"), tz);
        assert_eq!(spring.end() - spring.start(), TimeDelta::hours(23));
        assert_eq!(spring.start(), utc("2026-03-08T05:00:00Z"));
        assert_eq!(spring.end(), utc("2026-03-09T04:00:00Z"));
        let autumn = Day::new(date("2026-11-01"), tz);
        assert_eq!(autumn.end() - autumn.start(), TimeDelta::hours(25));
        // 02:30 does not exist on 2026-03-08: the send moves to 03:00 EDT.
        let before = Day::new(date("2026-03-07"), tz);
        assert_eq!(before.send_at(hm(2, 30)), utc("2026-03-08T07:00:00Z"));
        // 01:30 happens twice on 2026-11-01: the first one, in EDT.
        let repeated = Day::new(date("2026-10-31"), tz);
        assert_eq!(repeated.send_at(hm(1, 30)), utc("2026-11-01T05:30:00Z"));
    }

    #[test]
    fn the_due_day_turns_at_the_send_time() {
        let tz = Tz::Asia__Seoul;
        let seven = hm(7, 0);
        // 06:59 KST on the 12th: the 11th is not due yet.
        let early = Day::latest_due(utc("2026-01-11T21:59:00Z"), tz, seven);
        assert_eq!(early.date, date("2026-01-10"));
        let on_time = Day::latest_due(utc("2026-01-11T22:00:00Z"), tz, seven);
        assert_eq!(on_time.date, date("2026-01-11"));
        assert_eq!(
            Day::last_complete(utc("2026-01-11T21:59:00Z"), tz).date,
            date("2026-01-11")
        );
    }
}
