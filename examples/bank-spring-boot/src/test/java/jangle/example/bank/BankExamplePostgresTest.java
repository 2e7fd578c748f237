package jangle.example.bank;

import jangle.test.EmbeddedPg;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example on a real PostgreSQL (the embedded server, a fresh database) reached through Boot's own DataSource,
 * configured with {@code spring.datasource.*} under the {@code postgresql} profile as a deployment would.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("postgresql")
class BankExamplePostgresTest extends BankExampleContract {
    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        String url = EmbeddedPg.newDatabaseUrl();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> EmbeddedPg.USER);
        registry.add("spring.datasource.password", () -> EmbeddedPg.PASSWORD);
    }
}
