package dev.d2r2.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
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
        return parse(file.toString(), ConfigText.read(file), type);
    }

    /**
     * Loads {@code file} as plain data, then {@code compile}s it (checks that need the whole
     * document, such as cross-references): an {@link InvalidAt} from the compiler is reported
     * at the file, line and column of its key, like a mistake found while loading.
     */
    public static <T, R> R load(Path file, Class<T> type, Function<T, R> compile) throws ConfigException {
        String text = ConfigText.read(file);
        return parse(file.toString(), text, type, compile);
    }

    /** {@link #parse(String, String, Class)}, then {@code compile}, as {@link #load(Path, Class, Function)}. */
    public static <T, R> R parse(String origin, String text, Class<T> type, Function<T, R> compile) throws ConfigException {
        T value = parse(origin, text, type);
        try {
            return compile.apply(value);
        } catch (InvalidAt e) {
            ObjectMapper mapper = mapper(origin);
            List<JsonMappingException.Reference> path = new ArrayList<>();
            addPath(path, e);
            throw new ConfigException(where(origin, mapper, text, path, null) + " " + firstLine(e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(origin + ": " + firstLine(e.getMessage()));
        }
    }

    private static ObjectMapper mapper(String origin) {
        return origin.endsWith(".json") ? JSON : YAML;
    }

    /** Parses {@code text}; {@code origin} names it in errors (a file name). */
    public static <T> T parse(String origin, String text, Class<T> type) throws ConfigException {
        ObjectMapper mapper = mapper(origin);
        if (text.isBlank()) {
            throw new ConfigException(origin + ":1:1: empty configuration");
        }
        ConfigText.check(origin, text);
        try {
            T value = mapper.readValue(text, type);
            if (value == null) {
                throw new ConfigException(origin + ":1:1: empty configuration");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new ConfigException(describe(origin, mapper, text, e));
        }
    }

    private static String describe(String origin, ObjectMapper mapper, String text, JsonProcessingException e) {
        String where;
        if (e instanceof JsonMappingException m && (!m.getPath().isEmpty() || rootCause(e) instanceof InvalidAt)) {
            List<JsonMappingException.Reference> path = new ArrayList<>(m.getPath());
            if (rootCause(e) instanceof InvalidAt at) {
                addPath(path, at);
            }
            where = where(origin, mapper, text, path, e.getLocation());
        } else {
            where = origin + at(e.getLocation()) + ":";
        }
        String message;
        if (e instanceof UnrecognizedPropertyException u) {
            message = "unknown key \"" + u.getPropertyName() + "\" (known: "
                    + u.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ")) + ")";
        } else {
            Throwable root = rootCause(e);
            message = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
        }
        return where + " " + firstLine(message);
    }

    private static void addPath(List<JsonMappingException.Reference> path, InvalidAt at) {
        for (Object step : at.path()) {
            path.add(step instanceof Integer i ? new JsonMappingException.Reference(null, i)
                    : new JsonMappingException.Reference(null, step.toString()));
        }
    }

    /** {@code origin:line:col: key a.b[0].c:}, at the key when it is found in the text, else at {@code fallback}. */
    private static String where(String origin, ObjectMapper mapper, String text, List<JsonMappingException.Reference> path,
                                JsonLocation fallback) {
        String key = " key " + path.stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[") + ":";
        JsonLocation keyLoc = locate(mapper, text, path);
        return origin + at(keyLoc != null ? keyLoc : fallback) + ":" + key;
    }

    private static String at(JsonLocation loc) {
        return loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr();
    }

    /**
     * Where the key at {@code path} starts in the text. Records are built after their whole
     * object is read, so Jackson's own location points past it; this finds the key itself.
     */
    private static JsonLocation locate(ObjectMapper mapper, String text, List<JsonMappingException.Reference> path) {
        try (JsonParser p = mapper.getFactory().createParser(text)) {
            return locate(p, p.nextToken(), path, 0);
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonLocation locate(JsonParser p, JsonToken t, List<JsonMappingException.Reference> path, int depth)
            throws IOException {
        if (depth == path.size()) {
            return p.currentTokenLocation();
        }
        JsonMappingException.Reference ref = path.get(depth);
        if (t == JsonToken.START_OBJECT && ref.getFieldName() != null) {
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                if (p.currentName().equals(ref.getFieldName())) {
                    JsonLocation keyAt = p.currentTokenLocation();
                    JsonLocation inner = locate(p, p.nextToken(), path, depth + 1);
                    return depth + 1 == path.size() ? keyAt : inner;
                }
                p.nextToken();
                p.skipChildren();
            }
        } else if (t == JsonToken.START_ARRAY && ref.getIndex() >= 0) {
            int i = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                if (i++ == ref.getIndex()) {
                    return locate(p, t, path, depth + 1);
                }
                p.skipChildren();
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
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
