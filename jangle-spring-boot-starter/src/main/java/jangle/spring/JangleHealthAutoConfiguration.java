package jangle.spring;

import jangle.Jangle;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code jangle} health indicator, when Spring Boot's health support is on the classpath; off with
 * {@code management.health.jangle.enabled=false}.
 */
@AutoConfiguration(after = JangleAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(Jangle.class)
public class JangleHealthAutoConfiguration {

    @Bean
    @ConditionalOnEnabledHealthIndicator("jangle")
    @ConditionalOnMissingBean(name = "jangleHealthIndicator")
    public JangleHealthIndicator jangleHealthIndicator(Jangle jangle, JangleProperties properties) {
        return new JangleHealthIndicator(jangle, new jangle.Health.Policy(properties.health().maxLag(), true));
    }
}
