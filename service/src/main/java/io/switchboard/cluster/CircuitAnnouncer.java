package io.switchboard.cluster;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.switchboard.routing.ResiliencePolicies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code cluster.shareCircuits}: when a provider's breaker opens here, the other instances hear
 * it at once (Redis pub/sub, channel {@value #CHANNEL}) and open their own breaker for that
 * provider for the same wait, so they skip it instead of each finding out with failed requests.
 * Each instance keeps its own probes: when the wait is over its breaker goes half-open and tries
 * the provider itself. An announcement is {@code <instance id> <wait ms> <provider>}; an instance
 * ignores its own, and opening a breaker because of an announcement is not announced again.
 */
public final class CircuitAnnouncer {

    public static final String CHANNEL = "switchboard:circuits";
    private static final Logger LOG = LoggerFactory.getLogger(CircuitAnnouncer.class);

    private final RedisLink redis;
    private final ResiliencePolicies policies;
    private final String instanceId;
    /** Providers whose breaker is being opened because of an announcement (not to be announced again). */
    private final Set<String> applying = ConcurrentHashMap.newKeySet();

    public CircuitAnnouncer(RedisLink redis, ResiliencePolicies policies, String instanceId) {
        this.redis = redis;
        this.policies = policies;
        this.instanceId = instanceId;
    }

    /** Listens for other instances' announcements and announces this one's openings. */
    public void start() {
        policies.onStateTransition(this::changed);
        redis.subscribe(CHANNEL, (channel, message) -> heard(message));
    }

    private void changed(String provider, CircuitBreaker.StateTransition transition) {
        if (transition.getToState() != CircuitBreaker.State.OPEN || applying.contains(provider)) {
            return;
        }
        Duration wait = policies.policy(provider).breaker().waitInOpenState();
        redis.publish(CHANNEL, instanceId + " " + wait.toMillis() + " " + provider);
    }

    void heard(String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length != 3 || parts[0].equals(instanceId)) {
            return;
        }
        long waitMillis;
        try {
            waitMillis = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return;
        }
        String provider = parts[2];
        if (policies.policy(provider) == null) {
            return;
        }
        CircuitBreaker breaker = policies.breaker(provider);
        var state = breaker.getState();
        if (state != CircuitBreaker.State.CLOSED && state != CircuitBreaker.State.HALF_OPEN) {
            return; // already open, or disabled / forced by configuration
        }
        applying.add(provider);
        try {
            breaker.transitionToOpenStateFor(Duration.ofMillis(Math.max(1, waitMillis)));
            LOG.info(
                    "Circuit of provider {} opened for {} ms: instance {} announced it",
                    provider,
                    waitMillis,
                    parts[0]);
        } catch (RuntimeException e) {
            LOG.debug("Could not open the circuit of {} as announced: {}", provider, e.toString());
        } finally {
            applying.remove(provider);
        }
    }
}
