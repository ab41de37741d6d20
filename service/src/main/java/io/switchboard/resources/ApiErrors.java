package io.switchboard.resources;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The error statuses an operation can answer, for the OpenAPI document. Each becomes a reference
 * to one shared response ({@link DocumentedError}) whose body is {@code ErrorResponse}, so the
 * resources list statuses instead of repeating eight {@code @ApiResponse}s each.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ApiErrors {

    /** HTTP statuses, each one of {@link DocumentedError}'s. */
    int[] value();
}
