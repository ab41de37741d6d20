package io.switchboard.usage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The answer of {@link BudgetBook#reserve}: admitted with a reservation, or refused. */
public sealed interface Admission {

    /** The request may go ahead; settle the reservation when it ends, however it ends. */
    record Admitted(Reservation reservation) implements Admission {

        public Admitted {
            Objects.requireNonNull(reservation, "reservation");
        }
    }

    /**
     * The key's budget is used up: what was spent in this window plus what requests in flight have
     * reserved reached the limit. Carries what the 429 needs.
     *
     * @param resetsAt when the window ends and spend starts again from zero; empty for a total budget
     */
    record Refused(String keyId, Budget budget, long spentMicros, long reservedMicros, Optional<Instant> resetsAt)
            implements Admission {

        /** OpenAI's type and code for a spent quota; its SDKs raise RateLimitError on a 429 with it. */
        public static final String ERROR_CODE = "insufficient_quota";

        /**
         * The message of the 429: names the budget, what is spent and when it resets, e.g. "This
         * key's budget of $50.00 per month is used up ($50.01 spent, $0.20 held by requests in
         * progress); it resets at 2027-01-01T00:00:00Z."
         */
        public String message() {
            var text = new StringBuilder("This key's budget of ")
                    .append(budget.describe())
                    .append(" is used up (")
                    .append(Micros.format(spentMicros))
                    .append(" spent");
            if (reservedMicros > 0) {
                text.append(", ").append(Micros.format(reservedMicros)).append(" held by requests in progress");
            }
            text.append(')');
            text.append(resetsAt.map(at -> "; it resets at " + at + ".")
                    .orElse("; a total budget does not reset, ask for a larger one."));
            return text.toString();
        }

        /** Seconds from {@code now} until the reset, for a Retry-After header; empty for a total budget. */
        public Optional<Long> retryAfterSeconds(Instant now) {
            return resetsAt.map(at -> Math.max(1, (at.toEpochMilli() - now.toEpochMilli() + 999) / 1000));
        }
    }
}
