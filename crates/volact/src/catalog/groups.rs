//! Names for key group ids (pkeyconfig `RefGroupId`), as far as public sources give them.
//!
//! Quoted names are pkeyconfig `ProductDescription`s checked against Microsoft pkeyconfig
//! files (facts.md §1.3, S14); descriptive names are decoded from Microsoft-published
//! GVLKs; ranges cover the groups observed for an Office generation's GVLKs. A group not
//! listed is unknown: the administrator's own pkeyconfig is the authority.

/// Exact labels: (group id, label).
const EXACT: &[(u32, &str)] = &[
    // pkeyconfig ProductDescription, checked (facts.md §1.3).
    (3290, "Win 10 RTM Enterprise Volume:GVLK"),
    (3311, "Win 10 RTM Professional Volume:GVLK"),
    (3305, "Win 10 RTM Professional OEM:DM"),
    (4546, "Windows Server 2021 RTM ServerDatacenter Volume:GVLK"),
    (2164, "Office15_ProPlusVL_KMS_Client"),
    (
        206,
        "Windows Volume:CSVLK (pkey2005 group of Windows 8.1 to 11 and Server 2012 R2 CSVLKs)",
    ),
    (4573, "Windows Server 2022 Volume:CSVLK"),
    (4574, "Windows Server 2022 Volume:CSVLK (Azure only)"),
    (4575, "Windows Server 2022 Volume:CSVLK"),
    (3858, "Windows 10 Enterprise G Volume:CSVLK"),
    (1907, "Win 8 Core Volume:GVLK"),
    (1904, "Win 8 CoreN Volume:GVLK"),
    (1906, "Win 8 CoreSingleLanguage Volume:GVLK"),
    (1905, "Win 8 CoreCountrySpecific Volume:GVLK"),
    // Decoded from Microsoft-published GVLKs (facts.md §1.3).
    (3319, "Windows 10/11 Pro N Volume:GVLK"),
    (3918, "Windows 10/11 Pro for Workstations Volume:GVLK"),
    (3923, "Windows 10/11 Pro for Workstations N Volume:GVLK"),
    (3784, "Windows 10/11 Pro Education Volume:GVLK"),
    (3785, "Windows 10/11 Pro Education N Volume:GVLK"),
    (3281, "Windows 10/11 Education Volume:GVLK"),
    (3286, "Windows 10/11 Education N Volume:GVLK"),
    (3299, "Windows 10/11 Enterprise N Volume:GVLK"),
    (3856, "Windows 10/11 Enterprise G Volume:GVLK"),
    (3861, "Windows 10/11 Enterprise G N Volume:GVLK"),
    (
        4250,
        "Windows 10/11 Enterprise LTSC 2019/2021/2024 Volume:GVLK",
    ),
    (
        4253,
        "Windows 10/11 Enterprise N LTSC 2019/2021/2024 Volume:GVLK",
    ),
    (4844, "Windows IoT Enterprise LTSC 2021/2024 Volume:GVLK"),
    (3782, "Windows 10 Enterprise LTSB 2016 Volume:GVLK"),
    (3783, "Windows 10 Enterprise N LTSB 2016 Volume:GVLK"),
    (3295, "Windows 10 Enterprise LTSB 2015 Volume:GVLK"),
    (3302, "Windows 10 Enterprise N LTSB 2015 Volume:GVLK"),
    (4929, "Windows Server 2025 Standard Volume:GVLK"),
    (4915, "Windows Server 2025 Datacenter Volume:GVLK"),
    (
        4937,
        "Windows Server 2025 Datacenter: Azure Edition Volume:GVLK",
    ),
    (4541, "Windows Server 2022 Standard Volume:GVLK"),
    (
        4469,
        "Windows Server 2022 Datacenter: Azure Edition (ServerTurbine) Volume:GVLK",
    ),
    (4297, "Windows Server 2019 Standard Volume:GVLK"),
    (4300, "Windows Server 2019 Datacenter Volume:GVLK"),
    (4332, "Windows Server 2019 Essentials Volume:GVLK"),
    (
        4313,
        "Windows Server SAC 1809-20H2 Standard (ServerStandardACor) Volume:GVLK",
    ),
    (
        4314,
        "Windows Server SAC 1809-20H2 Datacenter (ServerDatacenterACor) Volume:GVLK",
    ),
    (3955, "Windows Server 1709/1803 Standard Volume:GVLK"),
    (3956, "Windows Server 1709/1803 Datacenter Volume:GVLK"),
    (3776, "Windows Server 2016 Standard Volume:GVLK"),
    (3764, "Windows Server 2016 Datacenter Volume:GVLK"),
    (3760, "Windows Server 2016 Essentials Volume:GVLK"),
    (2527, "Windows Server 2012 R2 Standard Volume:GVLK"),
    (2535, "Windows Server 2012 R2 Datacenter Volume:GVLK"),
    (2584, "Windows Server 2012 R2 Essentials Volume:GVLK"),
    (1843, "Windows Server 2012 Standard Volume:GVLK"),
    (1849, "Windows Server 2012 Datacenter Volume:GVLK"),
    (1814, "Windows MultiPoint Server 2012 Standard Volume:GVLK"),
    (1820, "Windows MultiPoint Server 2012 Premium Volume:GVLK"),
    (2277, "Windows Server 2012 Essentials Volume:GVLK"),
    (2615, "Windows 8.1 Pro Volume:GVLK"),
    (2616, "Windows 8.1 Pro N Volume:GVLK"),
    (2613, "Windows 8.1 Enterprise Volume:GVLK"),
    (2614, "Windows 8.1 Enterprise N Volume:GVLK"),
    (1787, "Windows 8 Pro Volume:GVLK"),
    (1786, "Windows 8 Pro N Volume:GVLK"),
    (1789, "Windows 8 Enterprise Volume:GVLK"),
    (1788, "Windows 8 Enterprise N Volume:GVLK"),
];

/// Ranges observed for an Office generation's GVLK groups (facts.md §1.3).
const RANGES: &[(u32, u32, &str)] = &[
    (1946, 2213, "Office 2013 (Office15) volume group"),
    (3326, 3428, "Office 2016 volume group"),
    (4028, 4162, "Office 2019 volume group"),
    (4595, 4725, "Office LTSC 2021 volume group"),
    (5010, 5038, "Office LTSC 2024 volume group"),
];

/// The label volact knows for a key group id, exact names before Office ranges.
pub fn group_label(group_id: u32) -> Option<&'static str> {
    EXACT
        .iter()
        .find(|&&(id, _)| id == group_id)
        .map(|&(_, label)| label)
        .or_else(|| {
            RANGES
                .iter()
                .find(|&&(lo, hi, _)| (lo..=hi).contains(&group_id))
                .map(|&(_, _, label)| label)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_labels_are_unique() {
        let mut ids: Vec<u32> = EXACT.iter().map(|&(id, _)| id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), EXACT.len());
    }

    #[test]
    fn exact_labels_win_over_ranges() {
        // 2164 lies inside the Office 2013 range and has its own pkeyconfig name.
        assert_eq!(group_label(2164), Some("Office15_ProPlusVL_KMS_Client"));
        assert_eq!(
            group_label(2000),
            Some("Office 2013 (Office15) volume group")
        );
        assert_eq!(group_label(999_999), None);
    }
}
