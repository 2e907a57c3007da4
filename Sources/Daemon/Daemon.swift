/// The daemon module: scanner, watcher, ingest pipeline and services (filled in by the following commits).
public enum DaemonModule {}
