package io.switchboard.api;

/**
 * Headers that every response to a request carries, however it is written (an answer or error
 * Jersey writes, or a stream the relay begins on the servlet response itself): a
 * {@code Map<String, String>} in the request attribute {@link #ATTRIBUTE}, set by the filter that
 * decides them (a gateway key's requests per minute) before the response begins. A value here
 * replaces one the response already has.
 */
public final class ResponseHeaders {

    /** The request attribute (a Jersey request property) holding the headers. */
    public static final String ATTRIBUTE = "switchboard.everyResponseHeaders";

    private ResponseHeaders() {}
}
