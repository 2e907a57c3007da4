import Catalog
import Foundation

/// Pure reconcile logic, no I/O: what the disk shows against what the catalogue holds → changes.
public enum Reconciliation {
    /// The first pass: unchanged files drop out, same-inode files at new paths are moves, same-path files with a new
    /// stat are changes; what is left is added (on disk only) or deleted (catalogue only), to be matched by content.
    public struct Plan: Sendable, Equatable {
        /// Moves and in-place changes found from stats alone.
        public var changes: CatalogChanges
        /// On disk, not matched to any catalogue row.
        public var added: [FileStat]
        /// In the catalogue, not on disk.
        public var deleted: [CatalogEntry]
    }

    /// Matches `disk` (files in scope) against `catalogue` (rows in the same scope).
    public static func plan(disk: [FileStat], catalogue: [CatalogEntry]) -> Plan {
        var rowsByPath: [String: CatalogEntry] = [:]
        for entry in catalogue { rowsByPath[entry.stat.path] = entry }
        var unmatchedRows = Dictionary(uniqueKeysWithValues: catalogue.map { ($0.id, $0) })
        var remaining: [FileStat] = []
        var retried: [(id: Int64, stat: FileStat)] = []
        var seenPaths = Set<String>()
        for file in disk where seenPaths.insert(file.path).inserted {
            if let row = rowsByPath[file.path], row.stat.sameFile(as: file) {
                unmatchedRows[row.id] = nil
                // A failed file whose permissions or owner changed (chmod, chown: a new ctime) is tried again.
                if row.state == .failed, row.stat.mode != file.mode || row.stat.ctimeNanoseconds != file.ctimeNanoseconds {
                    retried.append((row.id, file))
                }
            } else {
                remaining.append(file)
            }
        }
        // Same device, inode, size and mtime under another name: a rename or move.
        struct Identity: Hashable { var device: UInt64, inode: UInt64, size: Int64, mtime: Int64 }
        func identity(_ s: FileStat) -> Identity { Identity(device: s.device, inode: s.inode, size: s.size, mtime: s.mtimeNanoseconds) }
        var rowsByIdentity: [Identity: [Int64]] = [:]
        for row in unmatchedRows.values.sorted(by: { $0.id < $1.id }) { rowsByIdentity[identity(row.stat), default: []].append(row.id) }
        var changes = CatalogChanges()
        changes.changed = retried
        var afterMoves: [FileStat] = []
        for file in remaining {
            if var ids = rowsByIdentity[identity(file)], let id = ids.first {
                ids.removeFirst()
                rowsByIdentity[identity(file)] = ids
                unmatchedRows[id] = nil
                changes.moved.append((id, file))
            } else {
                afterMoves.append(file)
            }
        }
        // Same path, new stat: the content must be read again.
        var added: [FileStat] = []
        for file in afterMoves {
            if let row = rowsByPath[file.path], unmatchedRows[row.id] != nil {
                unmatchedRows[row.id] = nil
                changes.changed.append((row.id, file))
            } else {
                added.append(file)
            }
        }
        let deleted = unmatchedRows.values.sorted { $0.id < $1.id }
        return Plan(changes: changes, added: added, deleted: deleted)
    }

    /// The second pass: an added file with the content hash of a deleted row is that row moved (a copy across
    /// devices, or a move whose inode changed). `hash` is asked only for sizes that could match.
    public static func matchByContent(_ plan: Plan, hash: (FileStat) -> Data?) -> CatalogChanges {
        var changes = plan.changes
        var rowsBySizeAndHash: [Int64: [CatalogEntry]] = [:]
        for row in plan.deleted where row.contentHash != nil { rowsBySizeAndHash[row.stat.size, default: []].append(row) }
        var movedIDs = Set<Int64>()
        for file in plan.added {
            guard let candidates = rowsBySizeAndHash[file.size], candidates.contains(where: { !movedIDs.contains($0.id) }),
                let digest = hash(file),
                let row = candidates.first(where: { $0.contentHash == digest && !movedIDs.contains($0.id) })
            else {
                changes.added.append(file)
                continue
            }
            movedIDs.insert(row.id)
            changes.moved.append((row.id, file))
        }
        changes.deleted = plan.deleted.map(\.id).filter { !movedIDs.contains($0) }
        return changes
    }
}
