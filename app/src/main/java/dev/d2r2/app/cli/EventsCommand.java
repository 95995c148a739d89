package dev.d2r2.app.cli;

import dev.d2r2.app.events.Catalogues;
import dev.d2r2.core.events.CatalogueMarkdown;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code d2r2 events [--markdown]}: the catalogue of every declared event type. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "List every event type the modules publish or accept (docs/events.md with --markdown).")
public final class EventsCommand implements Callable<Integer> {
    @Option(names = "--markdown", description = "Print the whole catalogue as docs/events.md")
    boolean markdown;

    @Override
    public Integer call() {
        if (markdown) {
            System.out.print(CatalogueMarkdown.render(Catalogues.all()));
            return 0;
        }
        for (EventCatalogue c : Catalogues.all()) {
            for (EventType t : c.types()) {
                System.out.printf("%-10s %-28s %-8s %s -> %s%n", c.module(), t.name(),
                        t.kind().name().toLowerCase(java.util.Locale.ROOT), t.publisher(), t.channel());
            }
        }
        return 0;
    }
}
