//! `crokodial import --dry-run`: the real binary on a real file, with a profile of its own.

use std::process::Command;

const CLI: &str = env!("CARGO_BIN_EXE_crokodial");

#[test]
fn a_dry_run_counts_the_file_and_writes_its_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nextgen.csv");
    let mut text = String::from(
        "created_at,purchase_id,product,lead_id,bid_type,first_name,last_name,phone,email,zipcode,dob,has_medicare_parts_a_b\n",
    );
    text.push_str(
        "2026-11-02T08:30:00Z,P1,data,NG-1,exclusive,Ann,Lee,(617) 555-0100,ann@x.com,2134,1980-01-02,false\n",
    );
    text.push_str("2026-11-02T08:30:00Z,P2,ad,NG-1,exclusive,Ann,Lee,6175550100,ann@x.com,02134,1980-01-02,false\n");
    text.push_str("2026-11-02T08:31:00Z,P3,data,NG-2,exclusive,Bea,Lin,12345,,02134,1980-01-02,maybe\n");
    std::fs::write(&file, text).unwrap();
    let errors = dir.path().join("errors.csv");
    let run =
        |args: &[&str]| Command::new(CLI).args(args).env("CROKODIAL_HOME", dir.path().join("home")).output().unwrap();

    let out = run(&["import", file.to_str().unwrap(), "--dry-run", "--json", "--errors", errors.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let checked: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(checked["vendor"], "nextGen");
    assert_eq!(
        (checked["rows"].as_u64(), checked["leads"].as_u64(), checked["duplicates"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(checked["invalid"], 1);
    assert_eq!(checked["reasons"]["invalid phone"], 1, "{checked}");
    let bad = std::fs::read_to_string(&errors).unwrap();
    assert!(bad.lines().nth(1).unwrap().starts_with("4,\"column \"\"phone\"\""), "{bad}");

    let out = run(&["import", file.to_str().unwrap(), "--dry-run"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("NextGen Leads file, UTF-8"), "{text}");
    assert!(text.contains("3 rows: 2 leads (1 repeat an earlier row), 1 cannot be imported"), "{text}");

    let out = run(&["import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dry-run"));
}
