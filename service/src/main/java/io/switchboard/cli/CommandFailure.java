package io.switchboard.cli;

/** A command that ran but did not succeed: its message is for the user, without a stack trace. */
public final class CommandFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CommandFailure(String message) {
        super(message, null, false, false);
    }
}
