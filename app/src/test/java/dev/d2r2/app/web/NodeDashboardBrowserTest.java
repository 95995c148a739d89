package dev.d2r2.app.web;

import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.sip.load.SipLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBeMoreThan;

/**
 * The whole path in a real browser: a node's edge probing real SIP servers publishes on its
 * broker, the dashboard's observatory follows the channel, and the page shows a server's crash
 * and return as the edge sees them.
 */
class NodeDashboardBrowserTest {
    @TempDir
    Path dir;
    @TempDir
    Path profile;

    @Test
    void aServerCrashOnARunningNodeShowsOnThePageAndSoDoesItsReturn() throws Exception {
        DashboardInBrowser.requireChromium();
        int s1 = freePort();
        int s2 = freePort();
        String yaml = """
                broker: {listen: 127.0.0.1:0, data: broker}
                sip-servers:
                  - {name: s1, listen: "127.0.0.1:%d"}
                  - {name: s2, listen: "127.0.0.1:%d"}
                lb:
                  listen: 127.0.0.1:0
                  backends: [{address: "127.0.0.1:%d"}, {address: "127.0.0.1:%d"}]
                  telemetry: edge
                  probe-interval: 200ms
                  probe-timeout: 150ms
                dashboard: {listen: 127.0.0.1:0, channels: [edge]}
                """.formatted(s1, s2, s1, s2);
        Node.Checked checked = Node.check(ConfigLoader.parse(dir.resolve("node.yaml").toString(), yaml, NodeConfig.class), dir);
        WebDriver driver = DashboardInBrowser.chromium(profile);
        try (Node node = Node.start(checked, e -> { })) {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
            wait.ignoring(StaleElementReferenceException.class);
            SipLoad.Report calls = new SipLoad(new SipLoad.Plan(node.edge().edge().address(), 20, Duration.ofMillis(100), 2, 0, 1,
                    "INVITE", Duration.ofMillis(500))).run();
            assertThat(calls.callsOk()).isEqualTo(calls.calls());
            driver.get("http://127.0.0.1:" + node.dashboard().address().getPort() + "/");
            wait.until(numberOfElementsToBeMoreThan(By.cssSelector("[data-testid='heatmap'] rect"), 0));

            By second = By.cssSelector("[data-testid='server-127.0.0.1:" + s2 + "']");
            node.crashSipServer("s2");
            wait.until(attributeToBe(second, "data-state", "down"));
            wait.until(numberOfElementsToBeMoreThan(By.cssSelector("[data-testid='lane-services'] [data-testid='mark']"), 0));
            node.restartSipServer("s2");
            wait.until(attributeToBe(second, "data-state", "up"));
            assertThat(driver.findElement(By.cssSelector("[data-testid='server-127.0.0.1:" + s1 + "']")).getDomAttribute("data-state"))
                    .as("the other server never left").isEqualTo("up");
        } finally {
            driver.quit();
        }
    }

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
