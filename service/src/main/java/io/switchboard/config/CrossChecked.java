package io.switchboard.config;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What Bean Validation cannot say of one field, checked with the rest of config.yml's validation:
 * {@link GatewaySettings#crossCheck()}. Every command reads config.yml through the same
 * validation, so {@code check} refuses exactly what {@code server} would, each problem naming its
 * key path.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = CrossChecked.Validator.class)
public @interface CrossChecked {

    String message() default "config.yml has errors";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** One violation per problem, worded as the problem says it. */
    final class Validator implements ConstraintValidator<CrossChecked, GatewaySettings> {

        @Override
        public boolean isValid(GatewaySettings settings, ConstraintValidatorContext context) {
            if (settings == null || settings.gateway() == null || settings.providers() == null) {
                return true; // the fields' own @NotNull says so
            }
            var problems = settings.crossCheck();
            if (problems.isEmpty()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            for (String problem : problems) {
                // Message templates interpolate {…} and ${…}: what config.yml says must stay literal.
                String literal = problem.replace("\\", "\\\\")
                        .replace("{", "\\{")
                        .replace("}", "\\}")
                        .replace("$", "\\$");
                context.buildConstraintViolationWithTemplate(literal).addConstraintViolation();
            }
            return false;
        }
    }
}
