// scripts/build.mjs is run for its effect (dist/ built from src/); it exports nothing.
export {};
