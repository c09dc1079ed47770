// Reads "a<TAB>b" lines and prints "<a valid> <b valid> <order or ?>" per line. Build metadata
// is cleared before ordering: the crate's Ord uses it as a tie-breaker, precedence does not.
use semver::{BuildMetadata, Version};
use std::io::{self, BufRead, BufWriter, Write};

fn parse(v: &str) -> Option<Version> {
    Version::parse(v).ok().map(|mut version| {
        version.build = BuildMetadata::EMPTY;
        version
    })
}

fn main() {
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line.expect("stdin");
        let (a, b) = line.split_once('\t').expect("a tab-separated pair");
        let (x, y) = (parse(a), parse(b));
        let order = match (&x, &y) {
            (Some(x), Some(y)) => (x.cmp(y) as i8).to_string(),
            _ => "?".to_string(),
        };
        writeln!(out, "{} {} {}", x.is_some() as u8, y.is_some() as u8, order).expect("stdout");
    }
}
