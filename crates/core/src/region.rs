//! A US state from a phone's area code or a ZIP code: to choose a Textdrip sender number in the
//! lead's state, and to know a lead's state when only the zip is known.

/// The 2-letter state, district or territory of a geographic US area code; `None` otherwise.
pub fn state_for_area_code(area_code: u16) -> Option<&'static str> {
    let state = match area_code {
        907 => "AK",
        205 | 251 | 256 | 334 | 659 | 938 => "AL",
        327 | 479 | 501 | 870 => "AR",
        684 => "AS",
        480 | 520 | 602 | 623 | 928 => "AZ",
        209 | 213 | 279 | 310 | 323 | 341 | 350 | 357 | 369 | 408 | 415 | 424 | 442 | 510 | 530 | 559 | 562 | 619
        | 626 | 628 | 650 | 657 | 661 | 669 | 707 | 714 | 738 | 747 | 760 | 805 | 818 | 820 | 831 | 840 | 858 | 909
        | 916 | 925 | 949 | 951 => "CA",
        303 | 719 | 720 | 970 | 983 => "CO",
        203 | 475 | 860 | 959 => "CT",
        202 | 771 => "DC",
        302 => "DE",
        239 | 305 | 321 | 324 | 352 | 386 | 407 | 448 | 561 | 645 | 656 | 689 | 727 | 728 | 754 | 772 | 786 | 813
        | 850 | 863 | 904 | 941 | 954 => "FL",
        229 | 404 | 470 | 478 | 678 | 706 | 762 | 770 | 912 | 943 => "GA",
        671 => "GU",
        808 => "HI",
        319 | 515 | 563 | 641 | 712 => "IA",
        208 | 986 => "ID",
        217 | 224 | 309 | 312 | 331 | 447 | 464 | 618 | 630 | 708 | 730 | 773 | 779 | 815 | 847 | 872 => "IL",
        219 | 260 | 317 | 463 | 574 | 765 | 812 | 930 => "IN",
        316 | 620 | 785 | 913 => "KS",
        270 | 364 | 502 | 606 | 859 => "KY",
        225 | 318 | 337 | 457 | 504 | 985 => "LA",
        339 | 351 | 413 | 508 | 617 | 774 | 781 | 857 | 978 => "MA",
        227 | 240 | 301 | 410 | 443 | 667 => "MD",
        207 => "ME",
        231 | 248 | 269 | 313 | 517 | 586 | 616 | 679 | 734 | 810 | 906 | 947 | 989 => "MI",
        218 | 320 | 507 | 612 | 651 | 763 | 924 | 952 => "MN",
        314 | 417 | 557 | 573 | 636 | 660 | 816 | 975 => "MO",
        670 => "MP",
        228 | 471 | 601 | 662 | 769 => "MS",
        406 => "MT",
        252 | 336 | 472 | 704 | 743 | 828 | 910 | 919 | 980 | 984 => "NC",
        701 => "ND",
        308 | 402 | 531 => "NE",
        603 => "NH",
        201 | 551 | 609 | 640 | 732 | 848 | 856 | 862 | 908 | 973 => "NJ",
        505 | 575 => "NM",
        702 | 725 | 775 => "NV",
        212 | 315 | 329 | 332 | 347 | 363 | 516 | 518 | 585 | 607 | 624 | 631 | 646 | 680 | 716 | 718 | 838 | 845
        | 914 | 917 | 929 | 934 => "NY",
        216 | 220 | 234 | 283 | 326 | 330 | 380 | 419 | 436 | 440 | 513 | 567 | 614 | 740 | 937 => "OH",
        405 | 539 | 572 | 580 | 918 => "OK",
        458 | 503 | 541 | 971 => "OR",
        215 | 223 | 267 | 272 | 412 | 445 | 484 | 570 | 582 | 610 | 717 | 724 | 814 | 835 | 878 => "PA",
        787 | 939 => "PR",
        401 => "RI",
        803 | 821 | 839 | 843 | 854 | 864 => "SC",
        605 => "SD",
        423 | 615 | 629 | 731 | 865 | 901 | 931 => "TN",
        210 | 214 | 254 | 281 | 325 | 346 | 361 | 409 | 430 | 432 | 469 | 512 | 682 | 713 | 726 | 737 | 806 | 817
        | 830 | 832 | 903 | 915 | 936 | 940 | 945 | 956 | 972 | 979 => "TX",
        385 | 435 | 801 => "UT",
        276 | 434 | 540 | 571 | 686 | 703 | 757 | 804 | 826 | 948 => "VA",
        340 => "VI",
        802 => "VT",
        206 | 253 | 360 | 425 | 509 | 564 => "WA",
        262 | 274 | 353 | 414 | 534 | 608 | 715 | 920 => "WI",
        304 | 681 => "WV",
        307 => "WY",
        _ => return None,
    };
    Some(state)
}

/// The state of a US phone (10 digits, or 11 starting with 1; punctuation and `+` ignored).
pub fn state_for_phone(phone: &str) -> Option<&'static str> {
    let national = crate::phone::normalize_us(phone)?;
    state_for_area_code(national[..3].parse().ok()?)
}

/// The state of a US ZIP code (`02134`, `02134-1234`, or `2134` that lost its leading zero).
pub fn state_for_zip(zip: &str) -> Option<&'static str> {
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let zip = zip.trim();
    let head = match zip.split_once('-') {
        Some((five, plus4)) if five.len() == 5 && plus4.len() == 4 && all_digits(plus4) => five,
        Some(_) => return None,
        None => zip,
    };
    if !(4..=5).contains(&head.len()) || !all_digits(head) {
        return None;
    }
    state_for_zip_number(head.parse().ok()?)
}

/// The state of a 5-digit ZIP given as a number: by its 3-digit USPS prefix, with a few exceptions.
fn state_for_zip_number(zip: u32) -> Option<&'static str> {
    let state = match zip {
        96799 => "AS",
        96950..=96952 => "MP",
        // Palau, Micronesia and the Marshall Islands share Guam's prefix but are not US territories.
        96939..=96944 | 96960 | 96970 => return None,
        _ => return state_for_zip_prefix(zip / 100),
    };
    Some(state)
}

/// The state of a 3-digit USPS ZIP prefix; military (AA, AE, AP) and unused prefixes give `None`.
fn state_for_zip_prefix(prefix: u32) -> Option<&'static str> {
    let state = match prefix {
        995..=999 => "AK",
        350..=369 => "AL",
        716..=729 => "AR",
        850..=865 => "AZ",
        900..=961 => "CA",
        800..=816 => "CO",
        60..=69 => "CT",
        200 | 202..=205 | 569 => "DC",
        197..=199 => "DE",
        320..=339 | 341..=349 => "FL",
        300..=319 | 398..=399 => "GA",
        969 => "GU",
        967..=968 => "HI",
        500..=528 => "IA",
        832..=838 => "ID",
        600..=629 => "IL",
        460..=479 => "IN",
        660..=679 => "KS",
        400..=427 => "KY",
        700..=714 => "LA",
        10..=27 | 55 => "MA",
        206..=219 => "MD",
        39..=49 => "ME",
        480..=499 => "MI",
        550..=567 => "MN",
        630..=658 => "MO",
        386..=397 => "MS",
        590..=599 => "MT",
        270..=289 => "NC",
        580..=588 => "ND",
        680..=693 => "NE",
        30..=38 => "NH",
        70..=89 => "NJ",
        870..=884 => "NM",
        889..=898 => "NV",
        5 | 100..=149 => "NY",
        430..=459 => "OH",
        730..=732 | 734..=749 => "OK",
        970..=979 => "OR",
        150..=196 => "PA",
        6 | 7 | 9 => "PR",
        28..=29 => "RI",
        290..=299 => "SC",
        570..=577 => "SD",
        370..=385 => "TN",
        733 | 750..=799 | 885 => "TX",
        840..=847 => "UT",
        201 | 220..=246 => "VA",
        8 => "VI",
        50..=54 | 56..=59 => "VT",
        980..=994 => "WA",
        530..=549 => "WI",
        247..=268 => "WV",
        820..=831 => "WY",
        _ => return None,
    };
    Some(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_area_codes() {
        let cases = [
            (212, "NY"),
            (718, "NY"),
            (312, "IL"),
            (773, "IL"),
            (213, "CA"),
            (415, "CA"),
            (713, "TX"),
            (214, "TX"),
            (305, "FL"),
            (404, "GA"),
            (617, "MA"),
            (202, "DC"),
            (206, "WA"),
            (907, "AK"),
            (808, "HI"),
            (787, "PR"),
            (340, "VI"),
            (671, "GU"),
        ];
        for (code, state) in cases {
            assert_eq!(state_for_area_code(code), Some(state), "{code}");
        }
    }

    #[test]
    fn non_geographic_canadian_and_caribbean_codes_are_none() {
        let toll_free_and_special = [800, 833, 844, 855, 866, 877, 888, 500, 521, 533, 544, 566, 600, 700, 710, 900];
        let n11_and_invalid = [0, 1, 99, 111, 211, 311, 411, 911, 199, 555, 1000, u16::MAX];
        let canadian = [
            204, 226, 236, 249, 250, 289, 306, 343, 365, 403, 416, 418, 431, 437, 438, 450, 506, 514, 519, 548, 579,
            581, 587, 604, 613, 639, 647, 705, 709, 742, 778, 780, 782, 807, 819, 825, 867, 873, 902, 905,
        ];
        let caribbean =
            [242, 246, 264, 268, 284, 345, 441, 473, 649, 658, 664, 721, 758, 767, 784, 809, 829, 849, 868, 869, 876];
        for code in toll_free_and_special.into_iter().chain(n11_and_invalid).chain(canadian).chain(caribbean) {
            assert_eq!(state_for_area_code(code), None, "{code}");
        }
    }

    #[test]
    fn every_area_code_is_a_plausible_geographic_code() {
        for code in 0..=999u16 {
            if state_for_area_code(code).is_some() {
                let (a, b, c) = (code / 100, code / 10 % 10, code % 10);
                assert!(a >= 2, "{code}: NANP area codes start with 2-9");
                assert!(b != 9, "{code}: N9X codes are reserved");
                assert!(!(b == 1 && c == 1), "{code}: N11 codes are service codes");
            }
        }
    }

    #[test]
    fn phones_in_any_spelling() {
        for phone in ["+13125550100", "3125550100", "13125550100", "(312) 555-0100", "1-312-555-0100", "312.555.0100"] {
            assert_eq!(state_for_phone(phone), Some("IL"), "{phone}");
        }
        assert_eq!(state_for_phone("+1 (646) 555-0199"), Some("NY"));
        assert_eq!(state_for_phone("+1 415 555 0123"), Some("CA"));
    }

    #[test]
    fn phones_that_are_not_us_geographic() {
        for phone in
            ["", "abc", "555-0100", "+18005550100", "8885550100", "+14165550100", "+442079460958", "23125550100"]
        {
            assert_eq!(state_for_phone(phone), None, "{phone}");
        }
    }

    #[test]
    fn well_known_zips() {
        let cases = [
            ("10001", "NY"),
            ("02134", "MA"),
            ("60601", "IL"),
            ("90210", "CA"),
            ("94103", "CA"),
            ("77001", "TX"),
            ("33101", "FL"),
            ("20500", "DC"),
            ("20101", "VA"),
            ("96813", "HI"),
            ("99501", "AK"),
            ("00901", "PR"),
            ("00802", "VI"),
            ("96910", "GU"),
            ("96950", "MP"),
            ("96799", "AS"),
            ("73301", "TX"),
            ("73102", "OK"),
            ("05501", "MA"),
            ("05401", "VT"),
            ("88510", "TX"),
            ("89101", "NV"),
        ];
        for (zip, state) in cases {
            assert_eq!(state_for_zip(zip), Some(state), "{zip}");
        }
    }

    #[test]
    fn zip_spellings() {
        assert_eq!(state_for_zip("02134-1234"), Some("MA"));
        assert_eq!(state_for_zip(" 2134"), Some("MA"), "lost its leading zero");
        assert_eq!(state_for_zip("6601"), Some("CT"));
        assert_eq!(state_for_zip(" 60601 "), Some("IL"));
    }

    #[test]
    fn zips_that_are_not_state_zips() {
        let rejected = [
            "",
            "   ",
            "123",
            "021341",
            "021341234",
            "02134-",
            "02134-12",
            "02134-12345",
            "-1234",
            "0213a",
            "02134 1234",
            "02134--1234",
            "2134-1234",
            "+2134",
            "02134-12a4",
            "00000",
            "00100",
            "09012",
            "34001",
            "96201",
            "96960",
            "96940",
        ];
        for zip in rejected {
            assert_eq!(state_for_zip(zip), None, "{zip:?}");
        }
    }

    #[test]
    fn every_state_found_has_a_time_zone() {
        let from_codes = (0..=u16::MAX).filter_map(state_for_area_code);
        let from_zips = (0..100_000).filter_map(state_for_zip_number);
        for state in from_codes.chain(from_zips) {
            assert_eq!(state.len(), 2, "{state}");
            assert!(crate::tz::for_state(state).is_some(), "{state} has no time zone");
        }
    }

    #[test]
    fn every_state_and_the_district_is_found() {
        let states = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ \
                      NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY";
        for s in states.split_whitespace() {
            assert!((200..1000).any(|c| state_for_area_code(c) == Some(s)), "no area code for {s}");
            assert!((0..100_000).any(|z| state_for_zip_number(z) == Some(s)), "no zip for {s}");
        }
    }
}
