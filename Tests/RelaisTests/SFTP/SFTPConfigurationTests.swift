import Foundation
import Testing

@testable import RelaisCore

@Suite("SFTP configuration")
struct SFTPConfigurationTests {
    /// Parses a configuration whose one client has this `sftp` object.
    func load(_ sftp: String) throws -> Configuration {
        let json = """
            {"store": "relais.sqlite", "inbox": "inbox", "archive": "archive", "outbox": "outbox",
             "clients": [{"id": "c1", "name": "Client", "sftp": \(sftp)}]}
            """
        return try Configuration.parse(
            Data(json.utf8), file: "/etc/relais/relais.json", folder: "/etc/relais")
    }

    func message(_ sftp: String) -> String {
        do {
            _ = try load(sftp)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    let minimal = """
        "host": "sftp.example.ca", "user": "agence", "knownHosts": "keys/known_hosts",
        "remoteFolder": "/outgoing/", "afterPickup": "delete"
        """

    @Test("relative key and known_hosts paths are taken from the configuration's folder, with defaults")
    func defaultsAndPaths() throws {
        let configuration = try load("{\(minimal), \"identityFile\": \"keys/id_ed25519\"}")
        let sftp = try #require(configuration.client("c1")?.sftp)
        #expect(sftp.endpoint.port == 22)
        #expect(sftp.endpoint.knownHosts == "/etc/relais/keys/known_hosts")
        guard case .key(let file, nil) = sftp.endpoint.credential else {
            Issue.record("expected a key without passphrase")
            return
        }
        #expect(file == "/etc/relais/keys/id_ed25519")
        #expect(sftp.remoteFolder == "/outgoing")
        #expect(sftp.afterPickup == .delete)
        #expect(sftp.pattern == "*")
        #expect(sftp.delivery == nil)
        #expect(configuration.staging == "/etc/relais/staging")
    }

    @Test("an archive folder and a delivery with its existing-name rule are read")
    func archiveAndDelivery() throws {
        let configuration = try load(
            """
            {\(minimal.replacingOccurrences(of: "\"delete\"", with: "{\"archive\": \"/outgoing/done\"}")),
             "passwordFile": "/etc/relais/secret", "port": 2222,
             "delivery": {"remoteFolder": "/incoming", "existingName": "replace"}}
            """)
        let sftp = try #require(configuration.client("c1")?.sftp)
        #expect(sftp.afterPickup == .archive("/outgoing/done"))
        #expect(sftp.delivery?.existingName == .replace)
        #expect(sftp.endpoint.server == "sftp.example.ca:2222")
    }

    @Test("a password written in the configuration is refused, with where to put it instead")
    func passwordInConfiguration() {
        let text = message("{\(minimal), \"password\": \"hunter2\"}")
        #expect(text.contains("clients[0].sftp.password"))
        #expect(text.contains("passwordFile"))
        #expect(!text.contains("hunter2"))
    }

    @Test(
        "credentials: a key or a password file, exactly one",
        arguments: [
            ("", "give \"identityFile\""),
            (", \"identityFile\": \"k\", \"passwordFile\": \"p\"", "not both"),
            (", \"passwordFile\": \"p\", \"passphraseFile\": \"q\"", "only with an identityFile"),
        ])
    func credentials(extra: String, expected: String) {
        #expect(message("{\(minimal)\(extra)}").contains(expected))
    }

    @Test("the host key is always checked: known_hosts cannot be left out")
    func knownHostsRequired() {
        let text = message(
            "{\(minimal.replacingOccurrences(of: "\"knownHosts\": \"keys/known_hosts\",", with: "")), "
                + "\"identityFile\": \"k\"}"
        )
        #expect(text.contains("clients[0].sftp.knownHosts: required key is missing"))
    }

    @Test(
        "unknown keys and bad rules are refused with their path",
        arguments: [
            (", \"identityFile\": \"k\", \"hostname\": \"x\"", "clients[0].sftp.hostname: unknown key"),
            (
                ", \"identityFile\": \"k\", "
                    + "\"delivery\": {\"remoteFolder\": \"/in\", \"existingName\": \"overwrite\"}",
                "clients[0].sftp.delivery.existingName: \"overwrite\" is not one of"
            ),
            (", \"identityFile\": \"k\", \"port\": 70000", "clients[0].sftp.port: a port is 1 to 65535"),
        ])
    func refusals(extra: String, expected: String) {
        #expect(message("{\(minimal)\(extra)}").contains(expected))
    }
}
