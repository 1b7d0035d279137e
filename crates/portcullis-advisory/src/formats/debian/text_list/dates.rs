//! List header dates, and which release was in LTS on a given day.

/// A calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(in crate::formats::debian) struct Date {
    year: u16,
    month: u8,
    day: u8,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

impl Date {
    pub(in crate::formats::debian) const fn new(year: u16, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// `29 Mar 2023` (DSA, DLA) or `August 26th, 2005` (DTSA).
    pub(in crate::formats::debian) fn parse(text: &str) -> Option<Date> {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        let [a, b, year] = words.as_slice() else {
            return None;
        };
        let (day, month) = if a.starts_with(|c: char| c.is_ascii_digit()) {
            (a, b)
        } else {
            (b, a)
        };
        let digits = day.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let day: u8 = digits.parse().ok()?;
        let month = month.get(..3)?.to_ascii_lowercase();
        let month = MONTHS.iter().position(|m| *m == month)?;
        let year: u16 = year.parse().ok()?;
        if !(1..=31).contains(&day) || !(1990..=9999).contains(&year) {
            return None;
        }
        Some(Date {
            year,
            month: u8::try_from(month + 1).ok()?,
            day,
        })
    }

    /// Midnight UTC of the day, RFC 3339.
    pub(in crate::formats::debian) fn rfc3339(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            self.year, self.month, self.day
        )
    }
}

/// The day each release passed from the Security Team to the LTS team.
/// The dates are checked against the DLA list itself: every DLA line that
/// names its release names the one this table gives for the DLA's date
/// (the first `[buster]` DLA is from 04 Aug 2022, the last `[stretch]` one
/// from 01 Jul 2022 and the last buster DSA from 31 Jul 2022, so buster's
/// LTS starts on 1 Aug 2022 here). bullseye and bookworm follow Debian's
/// published LTS schedule.
const LTS_STARTS: [(Date, &str); 7] = [
    (Date::new(2014, 6, 1), "squeeze"),
    (Date::new(2016, 4, 26), "wheezy"),
    (Date::new(2018, 6, 17), "jessie"),
    (Date::new(2020, 7, 6), "stretch"),
    (Date::new(2022, 8, 1), "buster"),
    (Date::new(2024, 8, 15), "bullseye"),
    (Date::new(2026, 6, 11), "bookworm"),
];

/// The release in LTS on `date`; `None` before LTS existed (June 2014).
pub(in crate::formats::debian) fn lts_release_at(date: Date) -> Option<&'static str> {
    LTS_STARTS
        .iter()
        .rev()
        .find(|(start, _)| *start <= date)
        .map(|(_, release)| *release)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_header_date_styles_parse() {
        assert_eq!(Date::parse("29 Mar 2023"), Some(Date::new(2023, 3, 29)));
        assert_eq!(
            Date::parse("August 26th, 2005"),
            Some(Date::new(2005, 8, 26))
        );
        assert_eq!(
            Date::parse("September 2nd, 2005"),
            Some(Date::new(2005, 9, 2))
        );
        assert_eq!(Date::parse("32 Mar 2023"), None);
        assert_eq!(Date::parse("1 Foo 2023"), None);
        assert_eq!(Date::parse("Mar 2023"), None);
        assert_eq!(Date::parse("99999999999 Mar 2023"), None);
        assert_eq!(Date::new(2023, 3, 1).rfc3339(), "2023-03-01T00:00:00Z");
    }

    #[test]
    fn lts_release_follows_the_hand_over_dates() {
        assert_eq!(lts_release_at(Date::new(2014, 5, 31)), None);
        assert_eq!(lts_release_at(Date::new(2014, 6, 2)), Some("squeeze"));
        assert_eq!(lts_release_at(Date::new(2022, 7, 1)), Some("stretch"));
        assert_eq!(lts_release_at(Date::new(2022, 8, 4)), Some("buster"));
        assert_eq!(lts_release_at(Date::new(2030, 1, 1)), Some("bookworm"));
    }
}
