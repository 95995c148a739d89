package dev.d2r2.app.web;

import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.elementToBeClickable;
import static org.openqa.selenium.support.ui.ExpectedConditions.invisibilityOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBeMoreThan;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

/**
 * The dashboard page in a real browser (Debian's chromium, headless, driven by its chromedriver):
 * what it shows of an incident, and that it follows the observatory live.
 */
class DashboardBrowserTest extends DashboardInBrowser {
    private static final List<String> LANES = List.of("story", "services", "events", "alarms", "alerts", "contexts", "actions");
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png");

    @Test
    void thePageShowsTheIncidentItsCauseChainsAndFollowsTheObservatoryLive() throws Exception {
        long t0 = System.currentTimeMillis() - FloodAndCrash.SECONDS * 1000L;
        FloodAndCrash.feed(web.observatory(), t0);
        web.dashboard().report(() -> FloodAndCrash.report(t0));
        web.dashboard().story(() -> FloodAndCrash.story(t0));
        driver.get(page());

        for (Map.Entry<String, String> s : FloodAndCrash.STATES.entrySet()) {
            wait.until(attributeToBe(testId("server-" + s.getKey()), "data-state", s.getValue()));
        }
        wait.until(textToBePresentInElementLocated(testId("traffic-dialogs"), web.observatory().traffic().get("dialogs").toString()));
        for (String lane : LANES) {
            wait.until(numberOfElementsToBeMoreThan(By.cssSelector("[data-testid='lane-" + lane + "'] [data-testid='mark']"), 0));
        }
        WebElement burst = wait.until(d -> d.findElement(By.cssSelector("[data-testid='lane-events'] [data-testid='mark']")));
        assertThat(burst.getDomAttribute("data-count")).as("the flood's sources at one instant: one mark with a count")
                .isEqualTo(Integer.toString(FloodAndCrash.FLOOD_SOURCES));
        new Actions(driver).moveToElement(burst).perform();
        wait.until(textToBePresentInElementLocated(testId("lane-detail"), "sip.source_rate  127.1.1.1  normal → high"));
        assertThat(driver.findElement(testId("lane-detail")).getText()).contains("and " + (FloodAndCrash.FLOOD_SOURCES - 12) + " more");
        wait.until(numberOfElementsToBeMoreThan(By.cssSelector("[data-testid='heatmap'] rect"), 0));
        wait.until(numberOfElementsToBeMoreThan(testId("audit-row"), 11));
        wait.until(visibilityOfElementLocated(testId("report")));
        wait.until(textToBePresentInElementLocated(testId("report-flood_detection_s"), "0.650 s"));
        wait.until(numberOfElementsToBeMoreThan(By.cssSelector("[data-testid='story'] [data-testid='phase']"), 2));

        assertThat(chainOf(FloodAndCrash.THROTTLE)).containsExactly("action", "context", "alert", "alarm", "alarm");
        assertThat(chainOf(FloodAndCrash.BLOCK)).as("a block: its suspect alert, caused by the attack and the source's rate")
                .containsExactly("action", "context", "alert", "alert", "event");

        web.observatory().accept("edge", Event.state("sip.edge.backend", System.currentTimeMillis(), FloodAndCrash.S2, "up", "down",
                Map.of("why", "3 answers 503 in a row", "dialogs", 0L)));
        wait.until(attributeToBe(testId("server-" + FloodAndCrash.S2), "data-state", "down"));
        assertThat(driver.findElement(testId("error-banner")).isDisplayed()).isFalse();

        Object height = ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0);"
                + " return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight");
        driver.manage().window().setSize(new Dimension(1400, ((Number) height).intValue()));
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
        byte[] png = Files.readAllBytes(SCREENSHOT);
        assertThat(png).hasSizeGreaterThan(8).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    }

    /** Clicks the action's row and reads the kinds of its cause chain's links, in order. */
    private List<String> chainOf(String action) {
        By row = By.cssSelector("[data-testid='action-row'][data-action='" + action + "']");
        wait.until(elementToBeClickable(row)).click();
        wait.until(attributeToBe(row, "class", "selected"));
        return wait.until(d -> {
            if (!d.findElement(testId("chain-hint")).getText().contains(action)) {
                return null;
            }
            List<String> kinds = d.findElements(testId("chain-link")).stream().map(l -> l.getDomAttribute("data-kind")).toList();
            return kinds.isEmpty() ? null : kinds;
        });
    }

    @Test
    void aBannerSaysSoWhileTheApiCannotBeReachedAndThePageStartsAfreshWhenItIsBack() throws Exception {
        FloodAndCrash.feed(web.observatory(), System.currentTimeMillis() - FloodAndCrash.SECONDS * 1000L);
        driver.get(page());
        wait.until(textToBePresentInElementLocated(testId("status"), "live"));
        wait.until(numberOfElementsToBeMoreThan(testId("audit-row"), 11));
        assertThat(driver.findElement(testId("error-banner")).isDisplayed()).isFalse();
        assertThat(driver.findElement(testId("report")).isDisplayed()).as("no demo, no report").isFalse();

        InetSocketAddress address = web.dashboard().address();
        web.stop();

        wait.until(visibilityOfElementLocated(testId("error-banner")));
        assertThat(driver.findElement(testId("error-banner")).getText()).contains("Cannot reach the d2r2 API", "Retrying");
        assertThat(driver.findElement(testId("status")).getText()).isEqualTo("disconnected");

        web.start(address);
        web.observatory().note(System.currentTimeMillis(), "restarted: a new dashboard, its seqs from 1 again");

        wait.until(invisibilityOfElementLocated(testId("error-banner")));
        wait.until(textToBePresentInElementLocated(testId("lane-story"), "restarted"));
        assertThat(driver.findElements(testId("audit-row"))).as("the old process's audit is gone").isEmpty();
        assertThat(driver.findElements(By.cssSelector("[data-testid='lane-events'] [data-testid='mark']"))).isEmpty();
    }

    @Test
    void aReplayLoadedFromAFileIsDrawnOnLanesOfItsOwnBesideTheRecordedRun() throws Exception {
        long t0 = System.currentTimeMillis() - FloodAndCrash.SECONDS * 1000L;
        FloodAndCrash.feed(web.observatory(), t0);
        driver.get(page());
        wait.until(numberOfElementsToBeMoreThan(By.cssSelector("[data-testid='lane-alerts'] [data-testid='mark']"), 0));
        assertThat(driver.findElements(testId("lane-replay alerts"))).as("no replay loaded, no replay lanes").isEmpty();

        long at = t0 + 5_000;
        Path replay = data.resolve("replay.jsonl");
        Files.writeString(replay, String.join("\n",
                "{\"at\":" + at + ",\"kind\":\"alert\",\"event\":{\"id\":\"FloodingAttack#1\",\"type\":\"FloodingAttack\",\"time\":" + at
                        + ",\"source\":\"sip-edge\",\"attrs\":{\"chronicle\":\"FloodingAttack\",\"uncertain\":false,\"events\":\"\"}}}",
                "{\"change\":\"lost\",\"kind\":\"decision\",\"key\":\"deploy sip-edge/block/127.1.1.9\",\"before\":{\"at\":" + (at + 100)
                        + ",\"kind\":\"decision\",\"event\":{\"type\":\"policy.decision\",\"time\":" + (at + 100)
                        + ",\"source\":\"sip-edge/block/127.1.1.9\",\"attrs\":{\"decision\":\"deploy\",\"actuator\":\"sip-edge\","
                        + "\"op\":\"block\",\"target\":\"127.1.1.9\"}}},\"after\":null,\"cause\":[]}",
                "{\"at\":" + (at + 50) + ",\"kind\":\"diagnosis\",\"event\":{\"id\":\"diagnosis#3\",\"type\":\"diagnosis.indicted\",\"time\":"
                        + (at + 50) + ",\"source\":\"s1\",\"attrs\":{\"group\":\"sip\"}}}",
                "{\"at\":" + at + ",\"kind\":\"missing\",\"uncertain\":true,\"channel\":\"edge\",\"from\":1,\"to\":2,\"count\":1}", ""));
        driver.findElement(testId("replay-file")).sendKeys(replay.toAbsolutePath().toString());
        wait.until(textToBePresentInElementLocated(testId("lane-detail"), "replay: 3 entries from replay.jsonl"));
        assertThat(driver.findElements(By.cssSelector("[data-testid='lane-replay diagnosis'] [data-testid='mark']"))).hasSize(1);
        WebElement alert = wait.until(d -> d.findElement(By.cssSelector("[data-testid='lane-replay alerts'] [data-testid='mark']")));
        WebElement lost = driver.findElement(By.cssSelector("[data-testid='lane-replay actions'] [data-testid='mark']"));
        assertThat(lost.getDomAttribute("class")).contains("tone-bad");
        new Actions(driver).moveToElement(lost).perform();
        wait.until(textToBePresentInElementLocated(testId("lane-detail"), "deploy sip-edge/block 127.1.1.9 [lost]"));
        new Actions(driver).moveToElement(alert).perform();
        wait.until(textToBePresentInElementLocated(testId("lane-detail"), "replay alerts  FloodingAttack  sip-edge"));
        assertThat(driver.findElements(By.cssSelector("[data-testid='lane-alerts'] [data-testid='mark']"))).as("the recorded run stays")
                .isNotEmpty();

        Path notAReplay = data.resolve("notes.txt");
        Files.writeString(notAReplay, "hello\n");
        driver.findElement(testId("replay-file")).sendKeys(notAReplay.toAbsolutePath().toString());
        wait.until(textToBePresentInElementLocated(testId("lane-detail"), "replay: notes.txt: line 1 is not JSON"));
        assertThat(driver.findElements(testId("lane-replay alerts"))).isEmpty();
    }
}
