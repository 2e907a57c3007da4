// The Encoder module: see Docs/ARCHITECTURE.md. Its code arrives with its issue.
