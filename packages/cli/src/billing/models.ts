/**
 * Billed model names → the catalogue ids spans carry (`aicost.price.model_id`),
 * through @aicost/core's catalogue lookup (genai-prices' own matching rules:
 * date suffixes, Bedrock ids, aliases). A name the catalogue does not know
 * stays unknown (''), never guessed.
 */
import { findCatalogueModel, resolveCatalogueProvider } from '@aicost/core';

export function catalogueModelId(provider: string, modelHint: string | undefined): string {
  if (!modelHint) return '';
  const catalogueProvider = resolveCatalogueProvider(provider);
  if (!catalogueProvider) return '';
  return findCatalogueModel(catalogueProvider, modelHint.trim())?.model.id ?? '';
}
