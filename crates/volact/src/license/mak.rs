//! What installing a MAK does about activation (the seed, S12, "Converting KMS to MAK
//! activation"): installed through the user interface ("Change your product key"), the MAK
//! client tries to activate over the Internet **once**; installed with `slmgr /ipk`, it does
//! **not** try at all, and `slmgr /ato` activates it by hand.
//!
//! ```
//! use volact::license::mak::MakInstall;
//! assert_eq!(MakInstall::UserInterface.automatic_online_attempts(), 1);
//! assert_eq!(MakInstall::SlmgrIpk.automatic_online_attempts(), 0);
//! ```

/// How a MAK was installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum MakInstall {
    /// Control Panel, System, "Change your product key".
    UserInterface,
    /// `slmgr.vbs /ipk <MAK>` (WMI `InstallProductKey`).
    SlmgrIpk,
}

impl MakInstall {
    /// How many online activations Windows attempts by itself after the install.
    pub const fn automatic_online_attempts(self) -> u32 {
        match self {
            MakInstall::UserInterface => 1,
            MakInstall::SlmgrIpk => 0,
        }
    }

    /// What activates the MAK when Windows does not (or its one attempt failed).
    pub const fn manual_activation(self) -> &'static str {
        "slmgr.vbs /ato"
    }
}
