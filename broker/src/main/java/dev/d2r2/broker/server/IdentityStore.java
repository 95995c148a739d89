package dev.d2r2.broker.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.core.files.PrivateFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The identities a broker knows: its own, persisted as {@code identities.json} (mode 0600), and
 * on a cluster replica those of the replicated control plane, kept in memory only (the Raft log
 * and its snapshots hold them). A name of its own wins over a replicated one. It remembers the
 * names revoked, so that a revoked identity's later connects are counted as such.
 */
final class IdentityStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final Map<String, Identity> byName = new ConcurrentHashMap<>();
    private final Map<String, Identity> replicated = new ConcurrentHashMap<>();
    /** Own identities revoked (saved), and replicated ones seen revoked since the start (not saved: the log holds them). */
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final Set<String> revokedReplicated = ConcurrentHashMap.newKeySet();

    private IdentityStore(Path file) {
        this.file = file;
    }

    static IdentityStore open(Path file) throws IOException {
        IdentityStore store = new IdentityStore(file);
        if (Files.exists(file)) {
            JsonNode root = JSON.readTree(file.toFile());
            Base64.Decoder b64 = Base64.getDecoder();
            for (JsonNode n : root.path("identities")) {
                JsonNode key = n.get("publicKey");
                Identity id = new Identity(n.path("name").asText(), b64.decode(n.path("secret").asText()),
                        key == null || key.isNull() ? null : Crypto.publicKey(b64.decode(key.asText())),
                        n.path("admin").asBoolean());
                store.byName.put(id.name(), id);
            }
            for (JsonNode n : root.path("revoked")) {
                store.revoked.add(n.asText());
            }
        }
        return store;
    }

    Optional<Identity> find(String name) {
        Identity own = byName.get(name);
        return Optional.ofNullable(own != null ? own : replicated.get(name));
    }

    boolean isOwn(String name) {
        return byName.containsKey(name);
    }

    /** Replaces the replicated identities with {@code all}; returns the names that were there and are not any more. */
    Set<String> replaceReplicated(Map<String, Identity> all) {
        Set<String> gone = new TreeSet<>(replicated.keySet());
        gone.removeAll(all.keySet());
        replicated.keySet().retainAll(all.keySet());
        replicated.putAll(all);
        revokedReplicated.addAll(gone);
        revokedReplicated.removeAll(all.keySet());
        return gone;
    }

    boolean wasRevoked(String name) {
        return revoked.contains(name) || revokedReplicated.contains(name);
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    synchronized void add(Identity id) throws IOException {
        byName.put(id.name(), id);
        revoked.remove(id.name());
        save();
    }

    synchronized void revoke(String name) throws IOException {
        byName.remove(name);
        revoked.add(name);
        save();
    }

    private void save() throws IOException {
        Base64.Encoder b64 = Base64.getEncoder();
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("identities");
        byName.values().stream().sorted(java.util.Comparator.comparing(Identity::name)).forEach(id -> {
            ObjectNode n = arr.addObject();
            n.put("name", id.name());
            n.put("secret", b64.encodeToString(id.secret()));
            n.put("publicKey", id.signingKey() == null ? null : b64.encodeToString(id.signingKey().getEncoded()));
            n.put("admin", id.admin());
        });
        ArrayNode gone = root.putArray("revoked");
        revoked.stream().sorted().forEach(gone::add);
        PrivateFiles.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
}
