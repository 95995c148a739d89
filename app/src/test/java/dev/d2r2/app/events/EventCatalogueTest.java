package dev.d2r2.app.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.events.Attribute;
import dev.d2r2.core.events.CatalogueMarkdown;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract between modules holds: every declared event type is catalogued in docs/events.md
 * exactly as declared, its example is a valid event of the type, and no code outside a module's
 * {@code events} package names an event type with a string literal.
 */
class EventCatalogueTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void docsEventsMdIsTheRenderedCatalogue() throws IOException {
        String rendered = CatalogueMarkdown.render(Catalogues.all());
        String onDisk = Files.readString(ROOT.resolve("docs/events.md"));
        if (!onDisk.equals(rendered)) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/events.md"), rendered);
        }
        assertThat(onDisk).as("docs/events.md is stale: bin/d2r2 events --markdown > docs/events.md "
                + "(the rendered catalogue is in app/target/events.md)").isEqualTo(rendered);
    }

    @Test
    void everyModuleDeclaresItsTypesOnceAndListsEveryConstant() throws IllegalAccessException {
        List<EventCatalogue> all = Catalogues.all();
        assertThat(all).extracting(EventCatalogue::module).doesNotHaveDuplicates().isNotEmpty();
        Set<String> names = new HashSet<>();
        for (EventCatalogue c : all) {
            assertThat(c.types()).as(c.module()).isNotEmpty();
            for (EventType t : c.types()) {
                assertThat(names.add(t.name())).as("%s declared twice", t.name()).isTrue();
            }
            List<EventType> constants = new ArrayList<>();
            for (Field f : c.getClass().getDeclaredFields()) {
                if (f.getType() == EventType.class && Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    constants.add((EventType) f.get(null));
                }
            }
            assertThat(c.types()).as("%s: every EventType constant is in types()", c.module())
                    .containsExactlyInAnyOrderElementsOf(constants);
        }
    }

    @Test
    void everyExampleIsAValidEventOfItsType() throws Exception {
        for (EventCatalogue c : Catalogues.all()) {
            for (EventType t : c.types()) {
                Event e = EventCodec.decode(t.example());
                assertThat(t.matches(e.type())).as("example of %s has type %s", t.name(), e.type()).isTrue();
                assertThat(e.isState()).as("example of %s: kind", t.name()).isEqualTo(t.kind() == EventType.Kind.STATE);
                for (Attribute a : t.attributes()) {
                    Object v = e.attrs().get(a.key());
                    if (a.required()) {
                        assertThat(v).as("example of %s lacks required %s", t.name(), a.key()).isNotNull();
                    }
                    if (v != null) {
                        assertThat(v).as("example of %s: %s", t.name(), a.key()).isInstanceOf(a.valueType());
                    }
                }
                for (String key : e.attrs().keySet()) {
                    assertThat(t.attributes()).as("example of %s has undeclared attribute %s", t.name(), key)
                            .anyMatch(a -> a.key().equals(key));
                }
            }
        }
    }

    @Test
    void noEventTypeIsAStringLiteralOutsideItsEventsPackage() throws IOException {
        Set<String> declared = new HashSet<>();
        for (EventCatalogue c : Catalogues.all()) {
            for (EventType t : c.types()) {
                if (!t.isFamily()) {
                    declared.add(t.name());
                }
            }
        }
        Pattern literal = Pattern.compile("\"([A-Za-z][A-Za-z0-9_.-]*)\"");
        Pattern construction = Pattern.compile("(Event\\.(message|state)|new Event)\\(\\s*\"");
        List<String> offences = new ArrayList<>();
        for (Path source : mainSources()) {
            if (source.toString().contains("/events/")) {
                continue;
            }
            List<String> lines = Files.readAllLines(source);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher m = literal.matcher(line);
                while (m.find()) {
                    if (declared.contains(m.group(1))) {
                        offences.add(ROOT.relativize(source) + ":" + (i + 1) + ": \"" + m.group(1) + "\"");
                    }
                }
                if (construction.matcher(line).find()) {
                    offences.add(ROOT.relativize(source) + ":" + (i + 1) + ": an event type written as a literal");
                }
            }
        }
        assertThat(offences).as("use the module's events package").isEmpty();
    }

    private static List<Path> mainSources() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : modules.filter(p -> !p.getFileName().toString().equals("bench")).toList()) {
                Path main = module.resolve("src/main/java");
                if (Files.isDirectory(main)) {
                    try (Stream<Path> files = Files.walk(main)) {
                        files.filter(p -> p.toString().endsWith(".java")).forEach(out::add);
                    }
                }
            }
        }
        return out;
    }
}
