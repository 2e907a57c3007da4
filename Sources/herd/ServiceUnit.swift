import Foundation

/// herd's systemd user unit. `systemd/herd.service` in the repository is `ServiceUnit().text`;
/// `herd service install` writes the same text with the installed binary's path.
struct ServiceUnit {
    /// Command line systemd starts; `%h` is the user's home.
    var executable = "%h/.local/bin/herd"
    /// OpenBLAS kernel family to force (e.g. "Haswell"), when herd knows one fits this CPU.
    var blasCoreType: String?

    var text: String {
        var environment = ""
        if let blasCoreType {
            environment = "# Debian's OpenBLAS does not recognise newer CPUs and falls back to slow kernels.\nEnvironment=OPENBLAS_CORETYPE=\(blasCoreType)\n"
        }
        return """
            [Unit]
            Description=herd: sorts a photo library into herds of similar pictures

            [Service]
            Type=notify
            NotifyAccess=main
            ExecStart=\(executable) run
            ExecReload=/bin/kill -HUP $MAINPID
            \(environment)WatchdogSec=120
            Restart=on-failure
            RestartSec=30
            TimeoutStopSec=120
            # Stay out of the way: background slice, idle CPU and I/O priority.
            Slice=background.slice
            Nice=10
            CPUSchedulingPolicy=idle
            IOSchedulingClass=idle
            # Hardening that works in user units (seccomp-based; no mount namespaces needed).
            NoNewPrivileges=yes
            LockPersonality=yes
            RestrictRealtime=yes
            RestrictSUIDSGID=yes
            RestrictNamespaces=yes
            # No MemoryDenyWriteExecute=yes: the encoder's bf16 path through oneDNN (AMX tiles on Intel,
            # 2–3x fp32 there) generates its kernels at run time, which that setting forbids. With it
            # set, `precision = auto` leaves oneDNN out and runs fp32 or herd's own bf16 kernel.
            SystemCallArchitectures=native
            UMask=0077

            [Install]
            WantedBy=default.target

            """
    }
}
