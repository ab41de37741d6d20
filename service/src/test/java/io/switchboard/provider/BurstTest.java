package io.switchboard.provider;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BurstTest {

    @Test
    void outsideADeliveryAWriteRunsAtOnce() {
        var log = new ArrayList<String>();
        Burst.defer(() -> log.add("written"));
        assertThat(log).containsExactly("written");
    }

    @Test
    void deferredWritesRunAfterTheLastItemOfTheRead() {
        List<String> log = new ArrayList<>();
        Burst.deliver(() -> {
            log.add("item 1");
            Burst.defer(() -> log.add("write"));
            log.add("item 2");
            Burst.deliver(() -> log.add("nested item")); // joins the outer delivery
            log.add("item 3");
        });
        assertThat(log).containsExactly("item 1", "item 2", "nested item", "item 3", "write");
        assertWritesAtOnce();
    }

    @Test
    void aFailedWriteReachesTheTransportAndLeavesNoDeliveryBehind() {
        assertThatThrownBy(() -> Burst.deliver(() -> Burst.defer(() -> {
                    throw new IllegalStateException("client left");
                })))
                .hasMessage("client left");
        assertWritesAtOnce();

        assertThatThrownBy(() -> Burst.deliver(() -> {
                    throw new IllegalArgumentException("malformed");
                }))
                .hasMessage("malformed");
        assertWritesAtOnce();
    }

    /** No delivery is left behind on this thread: a write runs when deferred. */
    private static void assertWritesAtOnce() {
        var log = new ArrayList<String>();
        Burst.defer(() -> log.add("written"));
        assertThat(log).containsExactly("written");
    }
}
