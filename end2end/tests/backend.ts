// The Backend roadmap's spine, as the seeds give it: 13 stages in this order.
export const BACKEND_STAGES = [
  "Web fundamentals & HTTP",
  "Choose your language",
  "Databases & SQL",
  "REST API design & frameworks",
  "Authentication & authorization",
  "Caching strategies",
  "Message queues & async processing",
  "Microservices & API design patterns",
  "Testing backend systems",
  "Observability & logging",
  "Docker & cloud deployment",
  "Security best practices",
  "Capstone — production backend service",
];
