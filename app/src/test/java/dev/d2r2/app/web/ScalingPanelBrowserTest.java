package dev.d2r2.app.web;

import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.ScaleStep;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBeMoreThan;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

/**
 * The dashboard's instances panel in a real browser (as {@link DashboardBrowserTest}): hidden until
 * the scaler reports an instance; then a clone appears (starting … serving) beside the instance it
 * was cloned from, is drained and stops, each row in its state as {@code scale.instance} says; the
 * scale-out lands on the scaling lane.
 */
class ScalingPanelBrowserTest extends DashboardInBrowser {
    private static final String CHANNEL = "scale";

    private void move(long time, String instance, String from, String to, String address, String why) {
        web.observatory().accept(CHANNEL, new InstanceChange(time, instance, from, to, "sip", "remote", address, why).toEvent());
    }

    private void awaitState(String instance, String state) {
        wait.until(attributeToBe(testId("instance-" + instance), "data-state", state));
    }

    @Test
    void aCloneAppearsServesThenDrainsAndStops() {
        openPage();
        assertThat(driver.findElement(By.id("instances-panel")).isDisplayed()).as("no instance yet: no panel").isFalse();

        long t = System.currentTimeMillis() - 10_000;
        move(t, "sip-1", null, "running", "10.81.1.2:5060", "adopted after a restart of the scaler");
        move(t + 10, "sip-1", "running", "serving", "10.81.1.2:5060", null);
        web.observatory().accept(CHANNEL, new ScaleStep(t + 1_000, "sip", "out", 1, 2, "scaler/scale-out/sip", null).toEvent());
        move(t + 1_100, "sip-2", null, "starting", "10.81.2.2:5060", null);
        wait.until(visibilityOfElementLocated(By.id("instances-panel")));
        awaitState("sip-2", "starting");
        for (String state : new String[]{"running", "healthy", "serving"}) {
            move(t + 1_200, "sip-2", null, state, "10.81.2.2:5060", null);
            awaitState("sip-2", state);
        }
        WebElement clone = driver.findElement(testId("instance-sip-2"));
        assertThat(clone.getText()).contains("sip-2", "remote", "10.81.2.2:5060", "serving");
        assertThat(driver.findElements(By.cssSelector("[data-testid='instances'] tr"))).extracting(r -> r.getDomAttribute("data-testid"))
                .as("in the order they appeared").containsExactly("instance-sip-1", "instance-sip-2");
        wait.until(numberOfElementsToBeMoreThan(By.cssSelector("[data-testid='lane-scaling'] [data-testid='mark']"), 0));

        move(t + 5_000, "sip-2", "serving", "draining", "10.81.2.2:5060", null);
        awaitState("sip-2", "draining");
        move(t + 6_000, "sip-2", "draining", "drained", "10.81.2.2:5060", null);
        move(t + 6_010, "sip-2", "drained", "stopped", "10.81.2.2:5060", "scaled in");
        awaitState("sip-2", "stopped");
        assertThat(driver.findElement(testId("instance-sip-2")).getText()).contains("scaled in");
        assertThat(driver.findElement(testId("instance-sip-1")).getDomAttribute("data-state")).isEqualTo("serving");
    }
}
