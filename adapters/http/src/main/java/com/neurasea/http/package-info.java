/**
 * The HTTP binding of the NeuraSea admin API: {@link com.neurasea.http.AdminApiServlet}, a Jakarta
 * Servlet 6 servlet that serves {@code /admin/v1/...}, {@code GET /healthz} and
 * {@code GET /openapi.json} over a {@link com.neurasea.NeuraSea} instance the host built.
 *
 * <p>Mounting, in any servlet container:
 * <pre>{@code
 * // embedded Jetty 12 (ee10)
 * ServletContextHandler context = new ServletContextHandler();
 * ServletHolder holder = new ServletHolder(new AdminApiServlet(platform));
 * AdminApiServlet.URL_PATTERNS.forEach(pattern -> context.addServlet(holder, pattern));
 *
 * // a ServletContainerInitializer or ServletContextListener
 * AdminApiServlet.register(servletContext, platform);
 *
 * // Spring Boot
 * @Bean
 * ServletRegistrationBean<AdminApiServlet> neuraSeaAdminApi(NeuraSea platform) {
 *   return new ServletRegistrationBean<>(new AdminApiServlet(platform),
 *       AdminApiServlet.URL_PATTERNS.toArray(String[]::new));
 * }
 * }</pre>
 *
 * <p>The servlet authenticates {@code Authorization: Bearer <token>} (API tokens) and
 * {@code Authorization: Basic ...} (local passwords) through the platform's identity service, and
 * builds the {@link com.neurasea.model.Caller} of each call from the path: routes under
 * {@code /admin/v1/tenants/{tenantId}} act in that tenant, the others at platform level. The
 * platform's services enforce permissions and tenant isolation ({@code /admin/v1/privacy/...}, the
 * privacy ledger, adds the platform-level checks its service leaves to the caller). The document at
 * {@code /openapi.json} describes every route, body and error.
 *
 * <p>The metering routes ({@code /admin/v1/tenants/{tenantId}/reservations/...}) charge the calling
 * API token's chain through the platform's quota engine, which holds reservations in this process's
 * memory: behind a load balancer, a settle or release must reach the instance that answered the
 * reservation (its {@code hostId}), e.g. by routing on the request id.
 */
package com.neurasea.http;
