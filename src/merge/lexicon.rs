//! The words story clustering knows: short forms and their full form, the places it tells apart,
//! and the words that mark a person's name. Data only, in one place, so that an editor's
//! correction ("治 is 치안", "add 홍성군") is a line here and nothing else; [`super::evidence`] reads
//! it.

/// Short forms and verb variants, each with the one form both sides are read as before comparing:
/// a paper writing "尹" and another "윤석열", or "미뤄져" and "연기", tell one story. A key of one
/// character that is not Hangul (hanja) is replaced wherever it stands, as headlines attach it to
/// the next word ("尹대통령"); a Hangul key is replaced where a word starts with it, the rest of
/// the word (its ending) dropped, so that "미뤄져", "미뤄진" and "미뤄질" all read "연기".
pub const SHORT_FORMS: &[(&str, &str)] = &[
    // Hanja abbreviations of people, parties and countries.
    ("尹", "윤석열"),
    ("李", "이재명"),
    ("與", "여당"),
    ("野", "야당"),
    ("美", "미국"),
    ("中", "중국"),
    ("日", "일본"),
    ("北", "북한"),
    ("韓", "한국"),
    ("檢", "검찰"),
    ("警", "경찰"),
    ("軍", "군"),
    ("英", "영국"),
    ("佛", "프랑스"),
    ("獨", "독일"),
    ("露", "러시아"),
    ("靑", "청와대"),
    ("前", "전"),
    ("現", "현"),
    // Verbs papers vary for one fact: "postponed", "visited", "passed".
    ("미뤄", "연기"),
    ("늦춰", "연기"),
    ("연기돼", "연기"),
    ("연기된", "연기"),
    ("찾아", "방문"),
    ("찾았", "방문"),
    ("찾은", "방문"),
    ("방문해", "방문"),
    ("통과돼", "통과"),
    ("통과된", "통과"),
    ("가결", "통과"),
    ("postpone", "delay"),
    ("delay", "delay"),
    ("visit", "visit"),
];

/// Which of [`SHORT_FORMS`]' full forms name a person: evidence like a name read from the text.
pub const PEOPLE: &[&str] = &["윤석열", "이재명"];

/// Places that are named without their suffix ("대전", "천안") as well as with it ("대전시",
/// "천안시의회"). Each is one place whatever follows it; the full names of provinces are listed
/// with the short form they are read as.
pub const PLACES: &[(&str, &str)] = &[
    // 시·도 and their full names.
    ("서울", "서울"),
    ("부산", "부산"),
    ("대구", "대구"),
    ("인천", "인천"),
    ("광주", "광주"),
    ("대전", "대전"),
    ("울산", "울산"),
    ("세종", "세종"),
    ("경기", "경기"),
    ("강원", "강원"),
    ("충북", "충북"),
    ("충청북도", "충북"),
    ("충남", "충남"),
    ("충청남도", "충남"),
    ("전북", "전북"),
    ("전라북도", "전북"),
    ("전남", "전남"),
    ("전라남도", "전남"),
    ("경북", "경북"),
    ("경상북도", "경북"),
    ("경남", "경남"),
    ("경상남도", "경남"),
    ("제주", "제주"),
    // 시·군 of 충청 and nearby, and large cities elsewhere.
    ("천안", "천안"),
    ("아산", "아산"),
    ("서산", "서산"),
    ("당진", "당진"),
    ("논산", "논산"),
    ("계룡", "계룡"),
    ("보령", "보령"),
    ("홍성", "홍성"),
    ("태안", "태안"),
    ("청양", "청양"),
    ("부여", "부여"),
    ("서천", "서천"),
    ("금산", "금산"),
    ("청주", "청주"),
    ("충주", "충주"),
    ("제천", "제천"),
    ("옥천", "옥천"),
    ("영동", "영동"),
    ("진천", "진천"),
    ("음성", "음성"),
    ("괴산", "괴산"),
    ("단양", "단양"),
    ("증평", "증평"),
    ("수원", "수원"),
    ("성남", "성남"),
    ("고양", "고양"),
    ("용인", "용인"),
    ("창원", "창원"),
    ("전주", "전주"),
    ("포항", "포항"),
    ("김해", "김해"),
    // 자치구 of 대전 and the district names many cities share.
    ("유성구", "유성구"),
    ("대덕구", "대덕구"),
    ("동구", "동구"),
    ("서구", "서구"),
    ("중구", "중구"),
    ("남구", "남구"),
    ("북구", "북구"),
    // English spellings.
    ("seoul", "서울"),
    ("busan", "부산"),
    ("daegu", "대구"),
    ("incheon", "인천"),
    ("gwangju", "광주"),
    ("daejeon", "대전"),
    ("ulsan", "울산"),
    ("sejong", "세종"),
    ("cheonan", "천안"),
    ("asan", "아산"),
    ("cheongju", "청주"),
    ("gongju", "공주"),
    ("yuseong", "유성구"),
    ("nonsan", "논산"),
];

/// Places whose bare name is also a common word ("예산" is a budget, "공주" a princess): they
/// count as places only with one of [`PLACE_ENDINGS`] after them ("예산군", "공주시의회").
pub const PLACES_WITH_ENDING: &[(&str, &str)] = &[
    ("공주", "공주"),
    ("예산", "예산"),
    ("보은", "보은"),
    ("안성", "안성"),
];

/// What may follow a place's name in the same word: administrative units and the institutions of
/// a place. A word that starts with a place and goes on with something else ("대전역", "천안아산")
/// still names the place; these only matter for [`PLACES_WITH_ENDING`].
pub const PLACE_ENDINGS: &[&str] = &[
    "특별자치시",
    "특별자치도",
    "특별시",
    "광역시",
    "시",
    "도",
    "군",
    "구",
    "시의회",
    "군의회",
    "도의회",
    "교육청",
    "경찰청",
    "경찰서",
    "소방서",
    "시청",
    "군청",
    "시장",
    "군수",
];

/// Smallest units (읍·면·동), recognised by their ending when the word before names a place
/// ("유성구 봉명동", "천안 성환읍"): there are too many to list.
pub const LOCAL_UNIT_ENDINGS: &[char] = &['동', '읍', '면', '리'];

/// Particles that may follow a name or a place in a Korean sentence ("봉명동의", "윤석열은").
pub const PARTICLES: &[&str] = &[
    "에서", "으로", "에게", "의", "에", "은", "는", "이", "가", "을", "를", "와", "과", "도", "로",
];

/// Words after a Korean person's name that say it is one ("이장우 대전시장", "홍길동 씨"), also
/// after "전" (former) and as a word's ending after a place ("대전시장" is 대전 and 시장).
pub const PERSON_TITLES: &[&str] = &[
    "대통령",
    "총리",
    "장관",
    "대표",
    "의원",
    "시장",
    "지사",
    "군수",
    "구청장",
    "교육감",
    "청장",
    "위원장",
    "의장",
    "회장",
    "감독",
    "선수",
    "후보",
    "씨",
    "교수",
    "판사",
    "검사",
];

/// English words before a person's name ("Mayor Lee", "President Yoon").
pub const ENGLISH_PERSON_TITLES: &[&str] = &[
    "president",
    "mayor",
    "governor",
    "minister",
    "mr",
    "ms",
    "mrs",
    "dr",
    "judge",
    "coach",
    "lawmaker",
    "chairman",
    "ceo",
    "superintendent",
];
