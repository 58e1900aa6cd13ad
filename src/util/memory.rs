//! The process's peak memory (its largest resident set so far), for `--timings`: Linux reports
//! it in `/proc/self/status`; elsewhere it is not known. And the choice of page size for a run
//! that holds a whole backlog.

/// Asks the system not to back this process's memory with transparent huge pages from now on.
/// The allocator asks for them (on Linux it advises huge pages for its regions), which saves
/// page faults but makes every touched 2 MiB region resident whole. A run that holds a whole
/// backlog peaked 11-20 MB higher with them (50,000 items: 122-130 MB against 110-111); without
/// them it took the same time at 50,000 items and about a tenth longer with a warm cache at
/// 10,000 (88-98 ms against 77-87). A check of a staged change keeps them: it holds little,
/// and without them its page faults made it a third slower (47 ms against 36).
/// Where the system has no such switch this does nothing.
pub fn prefer_small_pages() {
    #[cfg(target_os = "linux")]
    {
        // Refused by kernels older than 3.15 and by sandboxes that forbid it: nothing changes.
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
}

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
    fn a_run_can_give_up_huge_pages() {
        prefer_small_pages();
        #[cfg(target_os = "linux")]
        assert_eq!(
            rustix::thread::transparent_huge_pages_are_disabled().ok(),
            Some(true),
            "the process still takes huge pages"
        );
    }

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
