export { ensureImages, imageTagFor, resolveBuilder, type Builder, type EnsureImagesOptions } from './ensure.js';
export { loadRecipe, recipeHash, imageTag, listRecipeNames, RecipeError, type Recipe } from './recipe.js';
export { renderBindConfig, renderTsigKeyFile, generateTsigSecret, type BindConfigInput, type BindConfigFiles } from './bind-config.js';
export { RECIPE_HASH_LABEL } from './debootstrap.js';
