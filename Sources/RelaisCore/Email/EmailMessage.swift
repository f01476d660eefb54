import CGMime
import Glibc

/// An emailed message, opened with GMime: who sent it, its subject and date, and its
/// attachments, each decoded (base64, quoted-printable) to the bytes that were attached.
struct EmailMessage {
    struct Attachment {
        var name: String
        var mimeType: String
        var bytes: [UInt8]

        /// The kind of list Relais reads from it, by its name, else its type; nil when none.
        var listKind: String? {
            let suffix =
                name.split(separator: ".").count > 1
                ? name.split(separator: ".").last!.lowercased() : ""
            if EmailMessage.listSuffixes.contains(suffix) { return suffix }
            return EmailMessage.listTypes[mimeType.lowercased()]
        }
    }

    static let listSuffixes: Set<String> = ["csv", "xml", "txt", "tsv", "tif", "tiff", "png"]
    static let listTypes: [String: String] = [
        "text/csv": "csv", "application/csv": "csv", "text/comma-separated-values": "csv",
        "application/xml": "xml", "text/xml": "xml", "text/tab-separated-values": "tsv",
        "image/tiff": "tif", "image/png": "png",
    ]

    var sender: String?
    var subject: String?
    var date: String?
    var messageID: String?
    var attachments: [Attachment]

    private static let initialized: Bool = {
        g_mime_init()
        return true
    }()

    /// Opens and decodes the message; throws a `FileRefusal` when the file is not a message.
    static func open(path: String) throws -> EmailMessage {
        _ = initialized
        var error: UnsafeMutablePointer<GError>?
        guard let stream = g_mime_stream_fs_open(path, O_RDONLY, 0, &error) else {
            let reason = error.map { String(cString: $0.pointee.message) } ?? "cannot be opened"
            if error != nil { g_error_free(error) }
            throw FileRefusal("the message file \(reason)")
        }
        defer { g_object_unref(stream) }
        guard let parser = g_mime_parser_new_with_stream(stream) else {
            throw FileRefusal("GMime could not start")
        }
        defer { g_object_unref(parser) }
        guard let message = g_mime_parser_construct_message(parser, nil) else {
            throw FileRefusal("the file is not an email message: GMime finds no MIME headers in it")
        }
        defer { g_object_unref(message) }

        var result = EmailMessage(attachments: [])
        result.subject = g_mime_message_get_subject(message).map { String(cString: $0) }
        result.messageID = g_mime_message_get_message_id(message).map { String(cString: $0) }
        if let from = g_mime_message_get_from(message),
            let text = internet_address_list_to_string(from, nil, 0)
        {
            result.sender = String(cString: text).nonEmpty
            g_free(text)
        }
        if let date = g_mime_message_get_date(message), let text = g_date_time_format_iso8601(date) {
            result.date = String(cString: text)
            g_free(text)
        }

        // Every leaf part, collected through GMime's walk of the tree.
        final class Parts { var list: [UnsafeMutablePointer<GMimeObject>] = [] }
        let parts = Parts()
        g_mime_message_foreach(
            message,
            { _, part, context in
                guard let part, let context else { return }
                Unmanaged<Parts>.fromOpaque(context).takeUnretainedValue().list.append(part)
            }, Unmanaged.passUnretained(parts).toOpaque())

        for object in parts.list where relais_is_part(object) != 0 {
            let part = relais_as_part(object)
            var mimeType = "application/octet-stream"
            if let type = g_mime_object_get_content_type(object),
                let text = g_mime_content_type_get_mime_type(type)
            {
                mimeType = String(cString: text)
                g_free(text)
            }
            let filename = g_mime_part_get_filename(part).map { String(cString: $0) }
            // The message's own text is not an attachment; a named part, or one marked as an
            // attachment, is.
            guard filename != nil || g_mime_part_is_attachment(part) != 0 else { continue }
            guard let content = g_mime_part_get_content(part), let memory = g_mime_stream_mem_new()
            else { continue }
            defer { g_object_unref(memory) }
            guard g_mime_data_wrapper_write_to_stream(content, memory) >= 0 else {
                throw FileRefusal(
                    "the attachment \((filename ?? mimeType).quotedForReason) cannot be decoded")
            }
            var bytes: [UInt8] = []
            if let array = g_mime_stream_mem_get_byte_array(
                OpaquePointer(memory).map { UnsafeMutablePointer<GMimeStreamMem>($0) }),
                array.pointee.len > 0
            {
                bytes = Array(
                    UnsafeBufferPointer(start: array.pointee.data, count: Int(array.pointee.len)))
            }
            result.attachments.append(
                Attachment(name: filename ?? "attachment", mimeType: mimeType, bytes: bytes))
        }
        return result
    }

    /// A name safe for a staging folder: letters, digits, `.`, `_`, `-`; never hidden.
    static func safeName(_ name: String) -> String {
        var result = String(
            name.unicodeScalars.map { scalar -> Character in
                let ok =
                    scalar.isASCII
                    && (isPlainCharacter(scalar) || "._-".unicodeScalars.contains(scalar))
                return ok ? Character(scalar) : "_"
            })
        while result.hasPrefix(".") { result.removeFirst() }
        if result.count > 100 { result = String(result.suffix(100)) }
        return result.isEmpty ? "attachment" : result
    }

    private static func isPlainCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
