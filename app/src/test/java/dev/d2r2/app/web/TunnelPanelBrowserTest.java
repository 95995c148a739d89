package dev.d2r2.app.web;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBeMoreThan;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

/**
 * The dashboard's tunnels panel in a real browser (as {@link DashboardBrowserTest}): hidden until a
 * tunnel event arrives; then the EN on its DN with its sessions, carrier, return route and path
 * scores; a failover moves the DN, the route and the failover count, and lands on the tunnels lane;
 * a lossy path loses the traffic to the other.
 */
class TunnelPanelBrowserTest extends DashboardInBrowser {
    private static By inTunnel(String id) {
        return By.cssSelector("[data-testid='tunnel-en1'] [data-testid='" + id + "']");
    }

    @Test
    void theEnsDnFollowsAFailoverAndItsTrafficTheBetterPath() {
        openPage();
        assertThat(driver.findElement(By.id("tunnels-panel")).isDisplayed()).as("no tunnel yet: no panel").isFalse();

        long t = System.currentTimeMillis() - 10_000;
        TunnelFixture.connected(web.observatory(), t);
        wait.until(visibilityOfElementLocated(By.id("tunnels-panel")));
        wait.until(attributeToBe(testId("tunnel-en1"), "data-dn", "dn1"));
        assertThat(driver.findElement(testId("tunnel-en1")).getText()).contains("en1 #1", TunnelFixture.ADDRESS, "dn1 (connected)");
        assertThat(driver.findElement(inTunnel("session-dn1")).getDomAttribute("data-state")).isEqualTo("up");
        assertThat(driver.findElement(inTunnel("tunnel-route")).getText()).contains("via dn1");
        assertThat(driver.findElement(inTunnel("path-p1")).getDomAttribute("data-active")).isEqualTo("true");

        TunnelFixture.failover(web.observatory(), t + 1_000);
        wait.until(attributeToBe(testId("tunnel-en1"), "data-dn", "dn2"));
        wait.until(textToBe(inTunnel("tunnel-failovers"), "1"));
        assertThat(driver.findElement(inTunnel("tunnel-dn")).getText()).isEqualTo("dn2 (failover)");
        assertThat(driver.findElement(inTunnel("session-dn1")).getDomAttribute("data-state")).isEqualTo("down");
        assertThat(driver.findElement(inTunnel("tunnel-route")).getText()).contains("via dn2", "10.3.2.2");
        wait.until(numberOfElementsToBeMoreThan(By.cssSelector("[data-testid='lane-tunnels'] [data-testid='mark']"), 0));

        TunnelFixture.p1Lossy(web.observatory(), t + 2_000);
        wait.until(attributeToBe(testId("tunnel-en1"), "data-path", "p2"));
        assertThat(driver.findElement(inTunnel("path-p2")).getDomAttribute("data-active")).isEqualTo("true");
        assertThat(driver.findElement(inTunnel("path-p1")).getText()).contains("20.0 %");
    }
}
