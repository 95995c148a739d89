package dev.d2r2.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.d2r2.core.Durations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * Loads YAML (or JSON) configuration into records, strictly: unknown keys are errors, and every
 * error names the file, line, column and key path. Records validate themselves in their compact
 * constructors by throwing {@link IllegalArgumentException}; the message is reported at the
 * location of the record.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = configure(YAMLMapper.builder(new YAMLFactory()));
    private static final ObjectMapper JSON = configure(JsonMapper.builder());

    private ConfigLoader() {
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static ObjectMapper configure(com.fasterxml.jackson.databind.cfg.MapperBuilder builder) {
        SimpleModule durations = new SimpleModule("d2r2-durations");
        durations.addDeserializer(Duration.class, new DurationDeserializer());
        return builder
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(durations)
                .build();
    }

    /** The mapper that writes JSON the way the loader reads it (durations excepted). */
    public static ObjectMapper json() {
        return JSON;
    }

    public static <T> T load(Path file, Class<T> type) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text, type);
    }

    /** Parses {@code text}; {@code origin} names it in errors (a file name). */
    public static <T> T parse(String origin, String text, Class<T> type) throws ConfigException {
        ObjectMapper mapper = origin.endsWith(".json") ? JSON : YAML;
        try {
            T value = mapper.readValue(text, type);
            if (value == null) {
                throw new ConfigException(origin + ":1:1: empty configuration");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new ConfigException(describe(origin, e));
        }
    }

    private static String describe(String origin, JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        String where = origin + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr());
        String key = "";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            key = " key " + m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[") + ":";
        }
        String message;
        if (e instanceof UnrecognizedPropertyException u) {
            message = "unknown key \"" + u.getPropertyName() + "\" (known: "
                    + u.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ")) + ")";
        } else {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            message = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
        }
        return where + ":" + key + " " + firstLine(message);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            try {
                return Durations.parse(p.getValueAsString(p.getText()));
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage());
            }
        }
    }
}
