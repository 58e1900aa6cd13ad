//! The process's peak memory (its largest resident set so far), for `--timings`: Linux reports
//! it in `/proc/self/status`; elsewhere it is not known.

/// The largest resident set this process has had, in bytes, when the system says.
pub fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    peak_in_status(&status)
}

/// The `VmHWM:` line of a `/proc/<pid>/status` text, in bytes (the kernel writes kilobytes).
fn peak_in_status(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let mut words = line.split_whitespace();
    let amount: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => amount.checked_mul(1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_read_from_the_status_text() {
        let status = "Name:\tbacklint\nVmPeak:\t  300000 kB\nVmHWM:\t   61440 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(peak_in_status(status), Some(61_440 * 1024));
        assert_eq!(peak_in_status("VmRSS:\t 1 kB\n"), None);
        assert_eq!(peak_in_status("VmHWM:\t lots kB\n"), None);
        assert_eq!(
            peak_in_status("VmHWM:\t 12 MB\n"),
            None,
            "only kilobytes are known"
        );
        if cfg!(target_os = "linux") {
            assert!(peak_resident_bytes().is_some_and(|b| b > 0));
        }
    }
}
