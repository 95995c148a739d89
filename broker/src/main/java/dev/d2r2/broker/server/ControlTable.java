package dev.d2r2.broker.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.core.files.PrivateFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * The control table of TRONE's FIT broker: per channel, its tag, class, authorised
 * publishers and subscribers, and (for PKE) its key. Persisted as {@code control.json}.
 */
final class ControlTable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    record Row(ChannelSpec spec, byte[] key) {
    }

    ControlTable(Path file) {
        this.file = file;
    }

    List<Row> load() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonNode root = JSON.readTree(file.toFile());
        java.util.ArrayList<Row> rows = new java.util.ArrayList<>();
        for (JsonNode n : root.path("channels")) {
            ChannelConfig c = JSON.treeToValue(n.get("channel"), ChannelConfig.class);
            rows.add(new Row(c.toSpec(), Base64.getDecoder().decode(n.path("key").asText())));
        }
        return rows;
    }

    synchronized void save(List<Row> rows) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("channels");
        rows.stream().sorted(Comparator.comparing(r -> r.spec().tag())).forEach(r -> {
            ObjectNode n = arr.addObject();
            n.set("channel", JSON.valueToTree(ChannelConfig.of(r.spec())));
            n.put("key", Base64.getEncoder().encodeToString(r.key()));
        });
        PrivateFiles.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
}
