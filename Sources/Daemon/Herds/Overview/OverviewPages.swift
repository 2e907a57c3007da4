import Foundation

/// The overview as static HTML: `index.html` (a card per herd with its contact sheet), `_overview/herd-NN.html` (a
/// herd's photos as lazy-loaded thumbnails) and `_overview/duplicates.html`. Plain pages with inline CSS (the index
/// has a small optional filter script; nothing needs it), no server, no network; links are relative, so they work from `file://` and from a network share.
public struct OverviewPages: Sendable {
    /// The folder of herd pages, duplicates page and thumbnails under the output folder.
    public static let folder = "_overview"
    /// The thumbnail folder inside `folder`.
    public static let thumbnails = "thumbs"

    /// The output folder the pages are written to (links to photos are made relative to it where possible).
    public var root: String

    public init(root: String) {
        self.root = root
    }

    /// Every page: path relative to the output folder → HTML.
    public func render(_ library: OverviewLibrary) -> [String: String] {
        var pages = ["index.html": index(library), Self.folder + "/duplicates.html": duplicates(library)]
        for herd in library.herds { pages[Self.folder + "/" + Self.pageName(herd)] = page(herd, library: library) }
        return pages
    }

    /// The file name of a herd's page.
    public static func pageName(_ herd: OverviewLibrary.Herd) -> String {
        "herd-" + (herd.id < 10 ? "0\(herd.id)" : "\(herd.id)") + ".html"
    }

    func index(_ library: OverviewLibrary) -> String {
        let photos = library.herds.reduce(0) { $0 + $1.photos.count }
        var html = head(title: "herd: \(photos) photos in \(library.herds.count) herds")
        html += "<header><h1>Photo herds</h1>\(counts(library))"
        html += "<nav><a href=\"\(Self.folder)/duplicates.html\">Duplicates (\(library.duplicates.count) groups)</a></nav></header>\n"
        html += "<main class=\"cards\">\n"
        for herd in library.herds {
            let page = Self.folder + "/" + Self.pageName(herd)
            let shown = min(herd.photos.count, 12), columns = max(1, min(4, shown)), rows = max(1, (shown + columns - 1) / columns)
            let width = columns * 160 + (columns + 1) * 4, height = rows * 160 + (rows + 1) * 4
            html += "<article class=\"herd\"><a href=\"\(url(page))\"><img src=\"\(url(herd.folder + "/" + FolderWriter.sheetName))\""
            html += " loading=\"lazy\" width=\"\(width)\" height=\"\(height)\" alt=\"\(escape(title(herd))) contact sheet\"></a>"
            html += "<h2><a href=\"\(url(page))\">\(escape(title(herd)))</a></h2>"
            html += "<p>\(herd.photos.count) photo\(herd.photos.count == 1 ? "" : "s") · <a href=\"\(url(herd.folder))/\">folder</a></p></article>\n"
        }
        html += "</main>\n" + Self.filter + foot(library)
        return html
    }

    /// A search box that hides the cards whose title does not match; the page reads the same without it (the box
    /// stays hidden when scripts are off).
    static let filter = """
        <script>(function(){var b=document.createElement('input');b.type='search';b.placeholder='Filter herds';\
        b.setAttribute('aria-label','Filter herds');b.className='filter';document.querySelector('header').appendChild(b);\
        b.addEventListener('input',function(){var q=b.value.toLowerCase();document.querySelectorAll('article.herd').forEach(\
        function(a){a.style.display=a.textContent.toLowerCase().indexOf(q)<0?'none':''})})})()</script>

        """

    func page(_ herd: OverviewLibrary.Herd, library: OverviewLibrary) -> String {
        var html = head(title: "herd: \(title(herd))")
        html += "<header><nav><a href=\"../index.html\">All herds</a> · <a href=\"duplicates.html\">Duplicates</a></nav>"
        html += "<h1>\(escape(title(herd)))</h1><p>\(herd.photos.count) photo\(herd.photos.count == 1 ? "" : "s") · "
        html += "<a href=\"../\(url(herd.folder))/\">folder</a></p></header>\n<main class=\"grid\">\n"
        for photo in herd.photos { html += tile(photo.path, thumbnail: photo.thumbnail) + "\n" }
        html += "</main>\n" + foot(library)
        return html
    }

    func duplicates(_ library: OverviewLibrary) -> String {
        var html = head(title: "herd: duplicates")
        html += "<header><nav><a href=\"../index.html\">All herds</a></nav><h1>Duplicates</h1>"
        let files = library.duplicates.reduce(0) { $0 + $1.group.members.count }
        html += "<p>\(library.duplicates.count) groups, \(files) files. herd deletes nothing: the first photo of each group is the one "
        html += "it suggests keeping.</p></header>\n<main>\n"
        for entry in library.duplicates {
            let group = entry.group
            html += "<section class=\"group\"><h2>\(entry.folder) · \(group.kind) · keep: \(escape(group.reason))"
            html += " · <a href=\"../\(DuplicateFolders.folderName)/\(entry.folder)/\">folder</a></h2><div class=\"grid\">\n"
            for (i, member) in group.members.enumerated() {
                var facts = ["\(member.width)×\(member.height)", Self.bytes(member.size)]
                if let taken = member.takenAt { facts.append(taken) }
                if i > 0 {
                    facts.append(member.exactCopy ? "same bytes" : String(format: "distance %.3f", member.distance))
                    if let bits = member.signatureBits, !member.exactCopy { facts.append("\(bits)/64 bits") }
                }
                let caption = (i == 0 ? "keep · " : "") + facts.joined(separator: " · ")
                // Copies often share a file name: the folder tells them apart.
                let folder = ((member.path as NSString).deletingLastPathComponent as NSString).lastPathComponent
                let name = folder + "/" + (member.path as NSString).lastPathComponent
                html += tile(member.path, thumbnail: entry.thumbnails[member.path], name: name, caption: caption) + "\n"
            }
            html += "</div></section>\n"
        }
        html += "</main>\n" + foot(library)
        return html
    }

    /// A thumbnail linking to the photo, with its file name under it.
    private func tile(_ path: String, thumbnail: String?, name shown: String? = nil, caption: String? = nil) -> String {
        let name = escape(shown ?? (path as NSString).lastPathComponent)
        var html = "<figure class=\"photo\"><a href=\"\(photoURL(path))\">"
        if let thumbnail {
            html += "<img src=\"\(Self.thumbnails)/\(url(thumbnail))\" loading=\"lazy\" width=\"160\" height=\"160\" alt=\"\(name)\">"
        } else {
            html += "<span class=\"missing\">no preview</span>"
        }
        html += "</a><figcaption>\(name)\(caption.map { "<br>" + escape($0) } ?? "")</figcaption></figure>"
        return html
    }

    /// A link from `_overview/` to a photo: relative when it lies under the output folder's parent tree on the same
    /// path prefix, so that the pages keep working when the whole tree is shared; absolute `file://` otherwise.
    func photoURL(_ path: String) -> String {
        let relative = FolderWriter.relativePath(from: root + "/" + Self.folder, to: path)
        return url(relative)
    }

    private func title(_ herd: OverviewLibrary.Herd) -> String {
        (herd.id < 10 ? "0\(herd.id)" : "\(herd.id)") + " · " + (herd.label ?? "unnamed")
    }

    private func counts(_ library: OverviewLibrary) -> String {
        let grouped = library.duplicates.reduce(0) { $0 + $1.group.members.count }
        var parts = ["\(library.embedded) photos", "\(library.herds.count) herds", "\(library.duplicates.count) duplicate groups (\(grouped) files)"]
        if library.failed > 0 { parts.append("\(library.failed) unreadable") }
        if library.files > library.embedded + library.failed { parts.append("\(library.files - library.embedded - library.failed) waiting") }
        return "<p class=\"counts\">" + parts.joined(separator: " · ") + "</p>"
    }

    private func head(title: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title><style>\(Self.style)</style></head><body>

        """
    }

    private func foot(_ library: OverviewLibrary) -> String {
        let stamp = ISO8601DateFormatter().string(from: library.written)
        return "<footer>Written by herd at \(stamp). These pages are rewritten whenever the herd folders change.</footer>\n</body></html>\n"
    }

    /// Percent-encodes a relative path for an `href` or `src`.
    private func url(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ";&'\"<>")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    /// HTML-escapes text.
    private func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A file size for people: "850 KB", "3.2 MB".
    public static func bytes(_ n: Int64) -> String {
        if n >= 1 << 20 { return String(format: "%.1f MB", Double(n) / Double(1 << 20)) }
        return "\(max(1, (n + 512) >> 10)) KB"
    }

    /// Fluid grids: cards and thumbnails reflow from a phone's width to a desktop's.
    static let style = """
        body{font:15px/1.4 system-ui,sans-serif;margin:0;padding:0 12px 24px;background:#fafafa;color:#222}\
        header{padding:12px 0}h1{font-size:1.4em;margin:.2em 0}h2{font-size:1em;margin:.4em 0}\
        a{color:#0b57d0}.counts,footer{color:#555}footer{margin-top:24px;font-size:.85em}\
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}\
        .herd{background:#fff;border:1px solid #ddd;border-radius:8px;padding:8px}\
        .herd img{width:100%;height:auto;display:block;border-radius:4px;background:#202020}.herd p{margin:0}\
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(110px,1fr));gap:8px}\
        .photo{margin:0;font-size:.75em;overflow-wrap:anywhere}.photo img,.missing{width:100%;height:auto;aspect-ratio:1;display:block;\
        border-radius:4px;background:#ddd}.missing{display:flex;align-items:center;justify-content:center;color:#777}\
        .filter{font:inherit;padding:6px;margin-top:8px;width:100%;max-width:320px;box-sizing:border-box}.group{border-top:1px solid #ddd;margin-top:12px}.group .photo:first-child{outline:3px solid #1e8e3e;border-radius:4px}
        """
}
