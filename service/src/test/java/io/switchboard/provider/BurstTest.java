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

    @Test
    void aConsumerThatWritesWithoutBlockingSaysSoToTheTransport() {
        assertThat(Burst.deliver(() -> {}).nonBlocking()).isFalse();
        assertThat(Burst.deliver(() -> Burst.defer(Burst::writesWithoutBlocking))
                        .nonBlocking())
                .isTrue();
        Burst.writesWithoutBlocking(); // outside a delivery: nobody to tell, nothing happens
    }

    @Test
    void aPausedStreamReadsOnOnceWhenResumedWhicheverComesFirst() {
        assertThat(Burst.pause())
                .as("outside a delivery there is no read to stop")
                .isNull();
        assertThat(Burst.deliver(() -> {}).paused()).isNull();

        // resumed after the transport handed over its next read
        var reads = new ArrayList<String>();
        Burst.Resume[] taken = new Burst.Resume[2];
        Burst burst = Burst.deliver(() -> Burst.defer(() -> {
            taken[0] = Burst.pause();
            taken[1] = Burst.pause();
        }));
        assertThat(burst.paused()).isSameAs(taken[0]).isSameAs(taken[1]);
        burst.paused().then(() -> reads.add("next read"));
        assertThat(reads).as("no read while paused").isEmpty();
        burst.paused().resume();
        burst.paused().resume();
        assertThat(reads).containsExactly("next read");

        // resumed before the transport handed it over: the read goes on at once, once
        Burst early = Burst.deliver(() -> Burst.defer(() -> Burst.pause().resume()));
        early.paused().then(() -> reads.add("read at once"));
        early.paused().resume();
        assertThat(reads).containsExactly("next read", "read at once");
    }

    /** No delivery is left behind on this thread: a write runs when deferred. */
    private static void assertWritesAtOnce() {
        var log = new ArrayList<String>();
        Burst.defer(() -> log.add("written"));
        assertThat(log).containsExactly("written");
    }
}
