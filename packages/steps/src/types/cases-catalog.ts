/**
 * Kibana's cases.* step catalog beyond createCase/addComment/getCase/setStatus, on Flowgate's case
 * store (docs/workflows.md "Kibana's case catalog"). All are instant (Redis only) except cases.pushCases, which
 * calls out through a connector.
 */
import { addAlerts, addAttachments, addEvents, addObservables, deleteObservable, updateObservable } from './cases-attach';
import { addTags, assignCase, closeCase, removeTags, setCategory, setCustomField, setDescription, setSeverity, setTitle, unassignCase, updateCase, updateCases } from './cases-fields';
import { deleteCases, findCases, findSimilarCases, getAllAttachments, getCases, getCasesByAlertId } from './cases-read';
import { createCaseFromTemplate } from './cases-templates';

export { pushCases } from './cases-push';

export const caseCatalogStepTypes = [
  addAlerts,
  addEvents,
  addObservables,
  updateObservable,
  deleteObservable,
  addTags,
  removeTags,
  assignCase,
  unassignCase,
  closeCase,
  deleteCases,
  findCases,
  findSimilarCases,
  getCases,
  getCasesByAlertId,
  getAllAttachments,
  addAttachments,
  setCategory,
  setCustomField,
  setDescription,
  setSeverity,
  setTitle,
  updateCase,
  updateCases,
  createCaseFromTemplate,
];
