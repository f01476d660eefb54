import CGPGME
import Glibc

/// An encryption that failed: the GPGME call and the library's own message.
public struct GPGError: Error, CustomStringConvertible {
    public let call: String
    public let message: String
    public var description: String { "GPGME \(call): \(message)" }
}

/// Encrypts a file to one recipient's public key through GPGME (OpenPGP, binary output),
/// streaming from file to file so that a large month never sits in memory.
///
/// The key is looked up in the keyring of `homeDirectory` (else GnuPG's default, `GNUPGHOME`
/// or `~/.gnupg`), after importing `publicKeyFile` when one is given. The key is trusted
/// because the configuration names it: no web of trust is consulted.
struct GPGEncryptor {
    let recipient: String
    let publicKeyFile: String?
    let homeDirectory: String?

    init(recipient: String, publicKeyFile: String?, homeDirectory: String? = nil) {
        self.recipient = recipient
        self.publicKeyFile = publicKeyFile
        self.homeDirectory = homeDirectory
    }

    /// GPGME must be told its version is checked before any context is made.
    private static let initialized: Bool = {
        _ = gpgme_check_version(nil)
        return true
    }()

    private static func check(_ code: gpgme_error_t, _ call: String) throws {
        guard code != 0 else { return }
        throw GPGError(call: call, message: String(cString: gpgme_strerror(code)))
    }

    /// Writes the encryption of `input` to `output` (created, mode 0640) and flushes it to disk.
    func encrypt(file input: String, to output: String) throws {
        _ = Self.initialized
        var context: gpgme_ctx_t?
        try Self.check(gpgme_new(&context), "gpgme_new")
        defer { gpgme_release(context) }
        try Self.check(gpgme_set_protocol(context, GPGME_PROTOCOL_OpenPGP), "gpgme_set_protocol")
        if let homeDirectory {
            try Self.check(
                gpgme_ctx_set_engine_info(context, GPGME_PROTOCOL_OpenPGP, nil, homeDirectory),
                "gpgme_ctx_set_engine_info")
        }
        gpgme_set_armor(context, 0)

        if let publicKeyFile {
            var keyData: gpgme_data_t?
            try Self.check(
                gpgme_data_new_from_file(&keyData, publicKeyFile, 1),
                "gpgme_data_new_from_file \(publicKeyFile)")
            defer { gpgme_data_release(keyData) }
            try Self.check(gpgme_op_import(context, keyData), "gpgme_op_import \(publicKeyFile)")
            if let result = gpgme_op_import_result(context), result.pointee.considered == 0 {
                throw GPGError(call: "gpgme_op_import", message: "\(publicKeyFile) holds no OpenPGP key")
            }
        }

        let key = try findKey(context)
        defer { gpgme_key_unref(key) }

        let inputFD = open(input, O_RDONLY | O_CLOEXEC)
        guard inputFD >= 0 else { throw FileError(path: input, operation: "open", errno: errno) }
        defer { close(inputFD) }
        let outputFD = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard outputFD >= 0 else { throw FileError(path: output, operation: "create", errno: errno) }
        var outputClosed = false
        defer { if !outputClosed { close(outputFD) } }

        var plain: gpgme_data_t?
        var cipher: gpgme_data_t?
        try Self.check(gpgme_data_new_from_fd(&plain, inputFD), "gpgme_data_new_from_fd")
        defer { gpgme_data_release(plain) }
        try Self.check(gpgme_data_new_from_fd(&cipher, outputFD), "gpgme_data_new_from_fd")
        defer { gpgme_data_release(cipher) }

        var recipients: [gpgme_key_t?] = [key, nil]
        let code = recipients.withUnsafeMutableBufferPointer { keys in
            gpgme_op_encrypt(context, keys.baseAddress, GPGME_ENCRYPT_ALWAYS_TRUST, plain, cipher)
        }
        try Self.check(code, "gpgme_op_encrypt")
        if let result = gpgme_op_encrypt_result(context), result.pointee.invalid_recipients != nil {
            throw GPGError(call: "gpgme_op_encrypt", message: "the key for \"\(recipient)\" cannot be used")
        }
        guard fsync(outputFD) == 0 else { throw FileError(path: output, operation: "fsync", errno: errno) }
        outputClosed = true
        guard close(outputFD) == 0 else { throw FileError(path: output, operation: "close", errno: errno) }
    }

    /// The one public key matching the recipient that can encrypt.
    private func findKey(_ context: gpgme_ctx_t?) throws -> gpgme_key_t {
        try Self.check(gpgme_op_keylist_start(context, recipient, 0), "gpgme_op_keylist_start")
        defer { gpgme_op_keylist_end(context) }
        var found: gpgme_key_t?
        while true {
            var key: gpgme_key_t?
            let code = gpgme_op_keylist_next(context, &key)
            if code != 0 {
                // GPG_ERR_EOF (16383) in the low 16 bits ends the list.
                if code & 0xFFFF == 16383 { break }
                try Self.check(code, "gpgme_op_keylist_next")
            }
            guard let key else { break }
            if found == nil, key.pointee.can_encrypt != 0, key.pointee.revoked == 0, key.pointee.expired == 0
            {
                found = key
            } else {
                gpgme_key_unref(key)
            }
        }
        guard let found else {
            throw GPGError(call: "gpgme_op_keylist", message: "no usable public key for \"\(recipient)\"")
        }
        return found
    }
}
