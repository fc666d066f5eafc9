/**
 * The reason given by skipped model-based judges. Its own module so the editor can recognise
 * such a verdict without pulling the model client (and `openai`) into extension.js.
 */
export const MODEL_SETUP_HINT =
  'no model is configured: set model.baseUrl and model.model in costar.yaml (or the environment variables COSTAR_MODEL_BASE_URL and COSTAR_MODEL), and put the API key in OPENAI_API_KEY (or the variable named by model.apiKeyEnv); in VS Code set costar.model.baseUrl and costar.model.name and run "coSTAR: Set API Key", or use the editor\'s own models with "coSTAR: Select Model"';
