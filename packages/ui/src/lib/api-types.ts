/**
 * GENERATED FILE: do not edit. The HTTP API's types, generated from docs/openapi.yaml by openapi-typescript.
 * Regenerate after changing docs/openapi.yaml: pnpm --filter @flowgate/ui gen:api-types
 * (test/contract/api-types.test.ts fails when this file is out of date). Use them through src/lib/api.ts.
 */
export interface paths {
    "/api/workflows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List workflows (viewer) */
        get: operations["listWorkflows"];
        put?: never;
        /** Create a workflow with its name's slug as id (editor) */
        post: operations["createWorkflow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Validate a workflow without saving it (editor) */
        post: operations["validateWorkflow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Not `validate` or `executions` (reserved) */
                id: components["parameters"]["WorkflowId"];
            };
            cookie?: never;
        };
        /** One workflow with its YAML, definition and errors (viewer) */
        get: operations["getWorkflow"];
        /** Create or replace a workflow (editor) */
        put: operations["putWorkflow"];
        post?: never;
        /** Delete a workflow (editor); executions already started keep running */
        delete: operations["deleteWorkflow"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows/{id}/run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Not `validate` or `executions` (reserved) */
                id: components["parameters"]["WorkflowId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a manual run (editor) */
        post: operations["runWorkflow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ingest one alert event (ingest)
         * @description An event `{id?, alerts: [...], rule?, spaceId?}`; any other JSON object is one bare alert, taken as
         *     `{alerts: [it]}`. When `rule` is absent, `alerts[0].rule` is copied to it. One execution starts per
         *     enabled, valid workflow with an `alert` trigger whose `on.condition` matches. Body limit 1 MiB.
         */
        post: operations["postAlert"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/alerts/_bulk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ingest NDJSON, one event per line, at most 10,000 lines (ingest)
         * @description Blank lines are skipped but counted. Body limit 16 MiB. Each line's `id` is its idempotency key; the header covers the request.
         */
        post: operations["postAlertsBulk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflowExecutions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List executions, newest first by default (viewer) */
        get: operations["listExecutions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflowExecutions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        /** One execution with its step records (viewer); from the archive once it left Redis */
        get: operations["getExecution"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflowExecutions/{id}/resume": {
        parameters: {
            query?: {
                /** @description The path of the wait this answer is for; another waiting step → 409 step_not_waiting */
                step?: components["parameters"]["Step"];
            };
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Answer the wait the execution is at (reviewer); the JSON object body IS the answer */
        post: operations["resumeExecution"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows/executions/{id}/resume": {
        parameters: {
            query?: {
                /** @description The path of the wait this answer is for; another waiting step → 409 step_not_waiting */
                step?: components["parameters"]["Step"];
            };
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Kibana's resume path (reviewer); the answer is the body's `input` */
        post: operations["resumeExecutionKibana"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflowExecutions/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel an execution (reviewer); also at /api/workflows/executions/{id}/cancel */
        post: operations["cancelExecution"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflowExecutions/{id}/rerun": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a FAILED or CANCELLED execution again with the same event and inputs (reviewer)
         * @description A new execution of the workflow's current version, linked both ways (rerunOf on the new one, reruns on the old one).
         */
        post: operations["rerunExecution"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/answers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How waits ended (answered, timed out, cancelled), newest first (viewer) */
        get: operations["listAnswers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external/link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The wait a single-use answer link answers (no key; the token is the credential); changes nothing */
        get: operations["getAnswerLink"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows/executions/{id}/steps/{stepId}/resume/external": {
        parameters: {
            query?: {
                token?: string;
            };
            header?: {
                "X-Flowgate-Link"?: string;
            };
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
                /** @description the wait's step path (URL-encoded) */
                stepId: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Kibana's external resume: answer a wait with a single-use link (no key) */
        post: operations["resumeExternal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/integrations/slack/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A signed Slack button click (approve or decline); verified with Slack's request signature, no key */
        post: operations["slackAction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/standins/received": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the local Slack and SMTP stand-ins received (flowgate up only; viewer) */
        get: operations["standinsReceived"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling key's name and role (any role) */
        get: operations["getSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List cases, newest first (viewer) */
        get: operations["listCases"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cases/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["CaseId"];
            };
            cookie?: never;
        };
        /** One case with its comments, observables, alerts, events and attachments, oldest first (viewer) */
        get: operations["getCase"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Set a case's status (reviewer) */
        patch: operations["setCaseStatus"];
        trace?: never;
    };
    "/api/cases/{id}/comments": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["CaseId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Comment on a case (reviewer); the author is the key name */
        post: operations["addCaseComment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health (no key) */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics (no key, or FLOWGATE_METRICS_KEY when set)
         * @description Without FLOWGATE_METRICS_KEY, no key. With it, `Authorization: Bearer <FLOWGATE_METRICS_KEY>`
         *     (or `ApiKey <FLOWGATE_METRICS_KEY>`); API keys do not open it. The gauges read from Redis are
         *     refreshed at most once every 5 s, whatever the scrape rate.
         */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * Format: date-time
         * @description ISO 8601 UTC with milliseconds
         */
        Timestamp: string;
        /** Format: date-time */
        NullableTimestamp: string | null;
        ErrorDetail: {
            /** @enum {string} */
            code: "bad_request" | "validation_failed" | "unauthorized" | "forbidden" | "not_found" | "not_waiting" | "already_finished" | "step_not_waiting" | "conflict" | "payload_too_large" | "rate_limited" | "unavailable" | "redis_unavailable" | "overloaded" | "internal_error";
            message: string;
            details: unknown[];
        };
        OverloadReason: {
            /** @enum {string} */
            reason: "memory" | "backlog";
            message: string;
            /** @description Redis used_memory in bytes */
            value: number;
            /** @description FLOWGATE_MAX_MEMORY in bytes */
            limit: number;
        };
        Error: {
            error: components["schemas"]["ErrorDetail"];
        };
        /** @enum {string} */
        AnswerChannel: "ui" | "api" | "slack" | "slack_api" | "email" | "webhook";
        Notification: {
            /** @enum {string} */
            channel: "slack" | "slack_api" | "email" | "webhook";
            /** @enum {string} */
            status: "sent" | "retrying" | "failed" | "skipped";
            at: components["schemas"]["Timestamp"];
            attempts: number;
            error?: string;
        };
        HistoryRow: {
            executionId: string;
            workflowId: string;
            workflowName: string;
            step: string;
            title: components["schemas"]["WaitTitle"];
            /** @enum {string} */
            outcome: "answered" | "timed_out" | "cancelled";
            /** @description who answered or cancelled; null for a timeout */
            by: string | null;
            channel: null | components["schemas"]["AnswerChannel"];
            at: components["schemas"]["Timestamp"];
            /** @description the wait's output (null when cancelled) */
            answer: Record<string, unknown> | null;
            summary: components["schemas"]["Summary"];
            ai: null | components["schemas"]["AiVerdict"];
        };
        LinkView: {
            executionId: string;
            step: string;
            /** @enum {string} */
            action: "approve" | "reject" | "form";
            /** @enum {string} */
            channel: "slack" | "slack_api" | "email" | "webhook";
            expiresAt: components["schemas"]["Timestamp"];
            workflowName: string;
            summary: components["schemas"]["Summary"];
            waitingFor: {
                /** @enum {string} */
                type: "waitForInput" | "waitForApproval";
                title: components["schemas"]["WaitTitle"];
                message: string;
                schema: Record<string, unknown> | null;
                since: components["schemas"]["Timestamp"];
                approveLabel?: string;
                rejectLabel?: string;
            };
        };
        Problem: {
            /** @example steps[3].with.schema */
            path: string;
            line: number;
            column: number;
            message: string;
        };
        WorkflowSummary: {
            id: string;
            name: string;
            description: string | null;
            enabled: boolean;
            tags: string[];
            triggers: Record<string, unknown>[];
            valid: boolean;
            createdAt: components["schemas"]["Timestamp"];
            updatedAt: components["schemas"]["Timestamp"];
        };
        Workflow: components["schemas"]["WorkflowSummary"] & {
            yaml: string;
            definition: Record<string, unknown> | null;
            errors: components["schemas"]["Problem"][];
            warnings: components["schemas"]["Problem"][];
        };
        /** @description An event, or any other object taken as one bare alert */
        AlertEvent: {
            id?: string | number;
            alerts?: Record<string, unknown>[];
            rule?: Record<string, unknown>;
            spaceId?: string;
        };
        /**
         * @description COMPLETED, FAILED and CANCELLED are terminal (they never change again)
         * @enum {string}
         */
        ExecutionStatus: "PENDING" | "RUNNING" | "WAITING" | "WAITING_FOR_INPUT" | "COMPLETED" | "FAILED" | "CANCELLED";
        /** @enum {string} */
        StepStatus: "PENDING" | "RUNNING" | "WAITING" | "WAITING_FOR_INPUT" | "COMPLETED" | "FAILED" | "SKIPPED" | "CANCELLED";
        /**
         * @description The first non-empty line of the wait's message without Markdown markers, or the step's name when
         *     the message has no text; at most 200 characters. The same in list rows and in the execution view.
         */
        WaitTitle: string;
        /** @enum {string} */
        Severity: "critical" | "high" | "medium" | "low";
        /**
         * @description What the execution is about, read once from its event when it is created (docs/api.md "Summary"):
         *     the first alert of `event.alerts` (else the event itself), ECS and Kibana field names. Strings at most 200 characters.
         */
        Summary: {
            host: string | null;
            user: string | null;
            rule: string | null;
            severity: null | components["schemas"]["Severity"];
            riskScore: number | null;
            alertId: string | null;
        };
        /** @description The latest completed ai.* step before the wait (or a step whose output has a category with a confidence or rationale) */
        AiVerdict: {
            step: string;
            category: string | null;
            confidence: number | null;
            rationale: string | null;
        };
        /** @description The triage context of a wait, computed once when the wait starts */
        WaitContext: components["schemas"]["Summary"] & {
            group: string;
            ai: null | components["schemas"]["AiVerdict"];
        };
        /** @description The latest accepted answer of the execution */
        AnsweredBy: {
            by: string;
            at: components["schemas"]["Timestamp"];
            step: string;
            channel: components["schemas"]["AnswerChannel"];
        };
        ExecutionRow: {
            id: string;
            workflowId: string;
            workflowName: string;
            status: components["schemas"]["ExecutionStatus"];
            createdAt: components["schemas"]["Timestamp"];
            startedAt: components["schemas"]["NullableTimestamp"];
            finishedAt: components["schemas"]["NullableTimestamp"];
            /** @description only while WAITING_FOR_INPUT */
            waitingFor: null | components["schemas"]["WaitSummary"];
            summary: components["schemas"]["Summary"];
            /** @description the alert id, else the id of the first execution started from the same posted alert, else the execution's own id */
            group: string;
            rerunOf: string | null;
            parent: components["schemas"]["ParentLink"];
            answeredBy: null | components["schemas"]["AnsweredBy"];
            cancellation: null | components["schemas"]["Cancellation"];
            error: null | components["schemas"]["ExecutionError"];
        };
        Deadline: {
            /** @description the earlier of the wait step's own timeout and the workflow's settings.timeout */
            deadline: components["schemas"]["NullableTimestamp"];
            /**
             * @description fail: the step fails with a timeout error (its on-failure applies); cancel: the execution is cancelled
             * @enum {string|null}
             */
            onDeadline: "fail" | "cancel" | null;
        };
        /** @description What a list row waits for */
        WaitSummary: {
            /** @description the wait's step path */
            step: string;
            since: components["schemas"]["Timestamp"];
            title: components["schemas"]["WaitTitle"];
            deadline: components["schemas"]["NullableTimestamp"];
            /** @enum {string|null} */
            onDeadline: "fail" | "cancel" | null;
            context: components["schemas"]["WaitContext"];
        };
        /** @description The wait an execution is at (only while WAITING_FOR_INPUT) */
        WaitingFor: {
            deadline: components["schemas"]["NullableTimestamp"];
            /** @enum {string|null} */
            onDeadline: "fail" | "cancel" | null;
            context: components["schemas"]["WaitContext"];
            /** @description the wait's step path */
            step: string;
            name: string;
            /** @enum {string} */
            type: "waitForInput" | "waitForApproval";
            /** @description Markdown, its templates rendered; "" when the step has none */
            message: string;
            /** @description The JSON Schema (draft-07) of the answer; null when the step has none (any JSON object) */
            schema: Record<string, unknown> | null;
            since: components["schemas"]["Timestamp"];
            title: components["schemas"]["WaitTitle"];
            /** @description waitForApproval only */
            approveLabel?: string;
            /** @description waitForApproval only */
            rejectLabel?: string;
        };
        ExecutionError: {
            type: string;
            message: string;
            step: string | null;
        };
        Cancellation: {
            /** @enum {string} */
            reason: "user" | "timeout";
            by: string;
            at: components["schemas"]["Timestamp"];
            /** @description the reason given with the cancel */
            comment: string | null;
        };
        Execution: {
            summary: components["schemas"]["Summary"];
            group: string;
            /** @description the execution this one re-runs */
            rerunOf: string | null;
            /** @description executions that re-ran this one, oldest first (at most 20) */
            reruns: string[];
            parent: components["schemas"]["ParentLink"];
            /** @description the outputs a workflow.output step set (null without one) */
            output: Record<string, unknown> | null;
            answeredBy: null | components["schemas"]["AnsweredBy"];
            id: string;
            workflowId: string;
            workflowName: string;
            workflowVersion: string;
            /** @enum {string} */
            trigger: "alert" | "manual" | "scheduled";
            /** @description the key name, or "schedule" */
            triggeredBy: string;
            status: components["schemas"]["ExecutionStatus"];
            event: unknown;
            inputs: unknown;
            createdAt: components["schemas"]["Timestamp"];
            startedAt: components["schemas"]["NullableTimestamp"];
            finishedAt: components["schemas"]["NullableTimestamp"];
            error: null | components["schemas"]["ExecutionError"];
            cancellation: null | components["schemas"]["Cancellation"];
            waitingFor: null | components["schemas"]["WaitingFor"];
            /** @description in start order */
            steps: components["schemas"]["StepRecord"][];
            /** @description true when read back from the archive (the execution left Redis after FLOWGATE_RETENTION), false when in Redis */
            archived: boolean;
        };
        /** @description With FLOWGATE_ARCHIVE only; the archive's state as the sweeping worker recorded it */
        ArchiveHealth: {
            /** @enum {string} */
            status: "ok" | "failing";
            lastError: string | null;
            since: components["schemas"]["NullableTimestamp"];
        };
        StepError: {
            type: string;
            message: string;
            details?: unknown;
        };
        /** @description One answer attempt on a wait */
        WaitResponse: {
            by: string;
            at: components["schemas"]["Timestamp"];
            accepted: boolean;
            code: number | string;
            /** @description how the answer came: "api" for every answer today; present on archived executions */
            channel?: string;
        };
        /** @description the execution whose workflow.execute or workflow.executeAsync step started this one, and that step; null for an execution started by a trigger */
        ParentLink: null | {
            executionId: string;
            step: string;
        };
        StepRecord: {
            name: string;
            /** @example hosts[2]/isolate */
            path: string;
            type: string;
            status: components["schemas"]["StepStatus"];
            iteration: number | null;
            input: unknown;
            output: unknown;
            error: null | components["schemas"]["StepError"];
            attempts: number;
            startedAt: components["schemas"]["NullableTimestamp"];
            finishedAt: components["schemas"]["NullableTimestamp"];
            /** @description workflow.execute and workflow.executeAsync only: the execution the step started */
            child?: string;
            /** @description wait steps only (always there on them) */
            respondedBy?: string | null;
            /** @description wait steps only: the channel of the accepted answer (ui: the web app; api: a key; slack, slack_api, email, webhook: a single-use link) */
            respondedVia?: null | components["schemas"]["AnswerChannel"];
            /** @description wait steps only (always there on them); one entry per channel of with.channels, its latest attempt */
            notifications?: components["schemas"]["Notification"][];
            /** @description wait steps only (always there on them) */
            respondedAt?: components["schemas"]["NullableTimestamp"];
            /** @description wait steps only (always there on them); the answer attempts, oldest first — the latest 100 of the execution (all its waits together) */
            responses?: components["schemas"]["WaitResponse"][];
            /** @description wait steps only (always there on them); how many answer attempts the wait had in all, those no longer in `responses` included */
            responseCount?: number;
        };
        Case: {
            id: string;
            title: string;
            description: string | null;
            severity: components["schemas"]["CaseSeverity"];
            status: components["schemas"]["CaseStatus"];
            tags: string[];
            executionId: string | null;
            createdAt: components["schemas"]["Timestamp"];
            updatedAt: components["schemas"]["Timestamp"];
        };
        /** @enum {string} */
        CaseSeverity: "low" | "medium" | "high" | "critical";
        /** @enum {string} */
        CaseStatus: "open" | "in-progress" | "closed";
        /** @description A case with everything attached (Kibana's case catalog, docs/workflows.md "Kibana's case catalog") */
        CaseWithComments: components["schemas"]["Case"] & {
            /** @description oldest first */
            comments: components["schemas"]["Comment"][];
            assignees: {
                uid: string;
            }[];
            category: string | null;
            /** @description by key */
            customFields: components["schemas"]["CaseCustomField"][];
            closedAt: components["schemas"]["NullableTimestamp"];
            /** @description oldest first */
            observables: components["schemas"]["CaseObservable"][];
            /** @description oldest first */
            alerts: components["schemas"]["CaseAlert"][];
            /** @description oldest first */
            events: components["schemas"]["CaseEvent"][];
            /** @description attachments of other types (cases.addAttachments) */
            attachments: components["schemas"]["CaseAttachment"][];
            totalAlerts: number;
            totalEvents: number;
            totalComment: number;
            totalAttachments: number;
        };
        CaseCustomField: {
            key: string;
            /** @description text, toggle (a boolean) or number */
            type: string;
            value: string | number | boolean | null;
        };
        CaseObservable: {
            id: string;
            /** @description observable-type-ipv4, -ipv6, -url, -hostname, -file-hash, -file-path, -email, -domain, or a custom key */
            typeKey: string;
            value: string;
            description: string | null;
            createdAt: components["schemas"]["Timestamp"];
            updatedAt: components["schemas"]["Timestamp"];
        };
        CaseAlert: {
            alertId: string;
            index: string;
            rule: {
                id?: string | null;
                name?: string | null;
            } | null;
            attachedAt: components["schemas"]["Timestamp"];
        };
        CaseEvent: {
            eventId: string;
            index: string;
            attachedAt: components["schemas"]["Timestamp"];
        };
        CaseAttachment: {
            id: string;
            type: string;
            /** @description the attachment as the step gave it */
            data: Record<string, unknown>;
            attachedAt: components["schemas"]["Timestamp"];
        };
        Comment: {
            id: string;
            case_id: string;
            comment: string;
            author: string;
            createdAt: components["schemas"]["Timestamp"];
        };
    };
    responses: {
        /** @description Saved (201 created, 200 updated) */
        WorkflowSaved: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": {
                    id: string;
                    name: string;
                    enabled: boolean;
                    /** @constant */
                    valid: true;
                    warnings: components["schemas"]["Problem"][];
                };
            };
        };
        /** @description Accepted; the next step is queued */
        Resumed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": {
                    executionId: string;
                    /** @constant */
                    status: "RUNNING";
                    step: string;
                };
            };
        };
        /** @description bad_request */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description bad_request (id) or validation_failed with details [{path, line, column, message}]; nothing saved */
        InvalidWorkflow: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description bad_request, or validation_failed with details [{path, keyword, message}] */
        ValidationFailed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description unauthorized */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description forbidden */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description not_found */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description conflict */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description not_waiting or step_not_waiting; details [{status, step, respondedBy, respondedAt}] */
        NotWaiting: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description already_finished; details [{status}] */
        AlreadyFinished: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description link_gone: the link is unknown, expired, or its wait is over (answered, timed out, cancelled); details [{status, respondedBy, respondedAt}] */
        LinkGone: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description unavailable; the execution is not in Redis and the archive (named in the message) cannot be reached. Or any 503 of Unavailable (redis_unavailable, overloaded with reason redis_oom, unavailable while starting). With Retry-After */
        ArchiveUnavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description payload_too_large */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description redis_unavailable: Redis cannot be reached or does not answer within about 1 s (answered at once; the request had no effect, docs/operations.md "Redis outages"); overloaded, details [{reason: redis_oom, message}]: Redis refused a write at its maxmemory; unavailable: the API is starting. With Retry-After */
        Unavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description overloaded: new work refused before the body is read, while Redis's memory or the steps backlog is past its limit (FLOWGATE_MAX_MEMORY, FLOWGATE_MAX_BACKLOG), details [{reason: memory|backlog, message, value, limit}]; or Redis refused a write at its maxmemory, details [{reason: redis_oom, message}]. Also redis_unavailable and unavailable as in Unavailable. With Retry-After */
        Overloaded: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description rate_limited, with Retry-After */
        RateLimited: {
            headers: {
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: {
        /** @description Not `validate` or `executions` (reserved) */
        WorkflowId: string;
        /** @description A ULID (not format-checked; unknown ids are 404) */
        ExecutionId: string;
        CaseId: string;
        /** @description The path of the wait this answer is for; another waiting step → 409 step_not_waiting */
        Step: string;
        /** @description Comma-separated workflow ids restricting the candidates */
        WorkflowIdFilter: string;
        /** @description Scoped per API key name; kept FLOWGATE_IDEMPOTENCY_TTL (default 24h) */
        IdempotencyKey: string;
    };
    requestBodies: {
        WorkflowYaml: {
            content: {
                "application/yaml": string;
                "application/x-yaml": string;
                "text/yaml": string;
                "text/plain": string;
                "application/json": {
                    yaml: string;
                };
            };
        };
    };
    headers: {
        /** @description Seconds to wait before retrying (every 503 carries it) */
        RetryAfter: number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listWorkflows: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every workflow */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        results: components["schemas"]["WorkflowSummary"][];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["RateLimited"];
            503: components["responses"]["Unavailable"];
        };
    };
    createWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["WorkflowYaml"];
        responses: {
            201: components["responses"]["WorkflowSaved"];
            400: components["responses"]["InvalidWorkflow"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            503: components["responses"]["Unavailable"];
        };
    };
    validateWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["WorkflowYaml"];
        responses: {
            /** @description The validation result (valid or not) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        valid: boolean;
                        errors: components["schemas"]["Problem"][];
                        warnings: components["schemas"]["Problem"][];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Not `validate` or `executions` (reserved) */
                id: components["parameters"]["WorkflowId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The workflow */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    putWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Not `validate` or `executions` (reserved) */
                id: components["parameters"]["WorkflowId"];
            };
            cookie?: never;
        };
        requestBody: components["requestBodies"]["WorkflowYaml"];
        responses: {
            200: components["responses"]["WorkflowSaved"];
            201: components["responses"]["WorkflowSaved"];
            400: components["responses"]["InvalidWorkflow"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Not `validate` or `executions` (reserved) */
                id: components["parameters"]["WorkflowId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    runWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Not `validate` or `executions` (reserved) */
                id: components["parameters"]["WorkflowId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Validated against the workflow's inputs schema after its defaults are applied. */
                    inputs?: Record<string, unknown>;
                };
            };
        };
        responses: {
            /** @description Started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        executionId: string;
                    };
                };
            };
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Overloaded"];
        };
    };
    postAlert: {
        parameters: {
            query?: {
                /** @description Comma-separated workflow ids restricting the candidates */
                workflowId?: components["parameters"]["WorkflowIdFilter"];
            };
            header?: {
                /** @description Scoped per API key name; kept FLOWGATE_IDEMPOTENCY_TTL (default 24h) */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AlertEvent"];
            };
        };
        responses: {
            /** @description Accepted (a repeat of an idempotency key gets the same body, with the header Idempotent-Replayed: true) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        executions: {
                            executionId: string;
                            workflowId: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            503: components["responses"]["Overloaded"];
        };
    };
    postAlertsBulk: {
        parameters: {
            query?: {
                /** @description Comma-separated workflow ids restricting the candidates */
                workflowId?: components["parameters"]["WorkflowIdFilter"];
            };
            header?: {
                /** @description Scoped per API key name; kept FLOWGATE_IDEMPOTENCY_TTL (default 24h) */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/x-ndjson": string;
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description lines parsed */
                        accepted: number;
                        /** @description executions started */
                        executions: number;
                        errors: {
                            line: number;
                            message: string;
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            503: components["responses"]["Overloaded"];
        };
    };
    listExecutions: {
        parameters: {
            query?: {
                /** @description Comma-separated statuses, any case */
                status?: string;
                workflowId?: string;
                order?: "desc" | "asc";
                limit?: number;
                /** @description The previous page's nextCursor (with archived=true, the archive's own cursor) */
                cursor?: string;
                /** @description true searches the archive of executions that left Redis (FLOWGATE_ARCHIVE) instead of Redis */
                archived?: boolean;
                /** @description With archived=true only; executions where this name gave an accepted answer */
                respondedBy?: string;
                /** @description createdAt at or after this ISO 8601 date (UTC midnight) or date-time with a zone */
                from?: string;
                /** @description createdAt before this ISO 8601 date or date-time with a zone */
                to?: string;
                /** @description Search (case-insensitive, part of a value) in the summary's host, user, rule and alertId and in the execution id; scans at most 5,000 executions */
                q?: string;
                /** @description Comma-separated summary severities */
                severity?: string;
                /** @description The summary's host, exactly (any case) */
                host?: string;
                /** @description The summary's rule, exactly (any case) */
                rule?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        results: components["schemas"]["ExecutionRow"][];
                        nextCursor: string | null;
                        /** @description How many executions match the query (Redis only); a lower bound when truncated */
                        total?: number;
                        /** @description true when q, severity, host or rule stopped at the 5,000 executions scanned */
                        truncated?: boolean;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["ArchiveUnavailable"];
        };
    };
    getExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The execution */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["ArchiveUnavailable"];
        };
    };
    resumeExecution: {
        parameters: {
            query?: {
                /** @description The path of the wait this answer is for; another waiting step → 409 step_not_waiting */
                step?: components["parameters"]["Step"];
            };
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, unknown>;
            };
        };
        responses: {
            200: components["responses"]["Resumed"];
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["NotWaiting"];
            503: components["responses"]["ArchiveUnavailable"];
        };
    };
    resumeExecutionKibana: {
        parameters: {
            query?: {
                /** @description The path of the wait this answer is for; another waiting step → 409 step_not_waiting */
                step?: components["parameters"]["Step"];
            };
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    input: Record<string, unknown>;
                };
            };
        };
        responses: {
            200: components["responses"]["Resumed"];
            400: components["responses"]["ValidationFailed"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["NotWaiting"];
            503: components["responses"]["ArchiveUnavailable"];
        };
    };
    cancelExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Why; stored as cancellation.comment */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Cancelled */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        executionId: string;
                        /** @constant */
                        status: "CANCELLED";
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["AlreadyFinished"];
            503: components["responses"]["Unavailable"];
        };
    };
    rerunExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new execution */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        executionId: string;
                        rerunOf: string;
                        /** @constant */
                        status: "PENDING";
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    listAnswers: {
        parameters: {
            query?: {
                /** @description ended at or after this ISO 8601 date or date-time */
                since?: string;
                by?: string;
                channel?: components["schemas"]["AnswerChannel"];
                outcome?: "answered" | "timed_out" | "cancelled";
                workflowId?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The latest ended waits (at most 5,000 executions read) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        results: components["schemas"]["HistoryRow"][];
                        truncated: boolean;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getAnswerLink: {
        parameters: {
            query?: {
                /** @description the token, for clients that cannot send the header */
                token?: string;
            };
            header?: {
                /** @description the token (the web app sends it here) */
                "X-Flowgate-Link"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link and its wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LinkView"];
                };
            };
            400: components["responses"]["BadRequest"];
            410: components["responses"]["LinkGone"];
            429: components["responses"]["RateLimited"];
        };
    };
    resumeExternal: {
        parameters: {
            query?: {
                token?: string;
            };
            header?: {
                "X-Flowgate-Link"?: string;
            };
            path: {
                /** @description A ULID (not format-checked; unknown ids are 404) */
                id: components["parameters"]["ExecutionId"];
                /** @description the wait's step path (URL-encoded) */
                stepId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, unknown>;
                "application/x-www-form-urlencoded": Record<string, unknown>;
            };
        };
        responses: {
            /** @description Answered (an HTML page when the client asks for text/html) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        executionId: string;
                        /** @constant */
                        status: "RUNNING";
                        step: string;
                        /** @example link:email */
                        respondedBy: string;
                    };
                };
            };
            400: components["responses"]["ValidationFailed"];
            410: components["responses"]["LinkGone"];
            429: components["responses"]["RateLimited"];
        };
    };
    slackAction: {
        parameters: {
            query?: never;
            header: {
                "X-Slack-Signature": string;
                "X-Slack-Request-Timestamp": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/x-www-form-urlencoded": {
                    /** @description Slack's block_actions payload (JSON) */
                    payload: string;
                };
            };
        };
        responses: {
            /** @description What happened (Slack shows any other status as an error) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ok: boolean;
                        text: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
        };
    };
    standinsReceived: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Newest first; enabled false without stand-ins */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        enabled: boolean;
                        messages: {
                            /** @enum {string} */
                            source: "slack" | "email";
                            at: string;
                            title: string;
                            to: string | null;
                            text: string;
                            links: string[];
                        }[];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Who is calling */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the key name recorded on every answer it gives */
                        name: string;
                        /** @enum {string} */
                        role: "ingest" | "viewer" | "reviewer" | "editor" | "admin";
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
        };
    };
    listCases: {
        parameters: {
            query?: {
                status?: components["schemas"]["CaseStatus"];
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        results: components["schemas"]["Case"][];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    getCase: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["CaseId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The case */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CaseWithComments"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    setCaseStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["CaseId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    status: components["schemas"]["CaseStatus"];
                };
            };
        };
        responses: {
            /** @description The updated case */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Case"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    addCaseComment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["CaseId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Markdown */
                    comment: string;
                };
            };
        };
        responses: {
            /** @description The comment */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Comment"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Redis answers and workflows are loaded; degraded while new alerts and runs are refused (503 overloaded), with the reasons */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "degraded";
                        /** @constant */
                        redis: "ok";
                        /** @description Only when degraded */
                        reasons?: components["schemas"]["OverloadReason"][];
                        archive?: components["schemas"]["ArchiveHealth"];
                    };
                };
            };
            /** @description Starting (error code unavailable), or Redis does not answer (error code redis_unavailable); with Retry-After */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status?: "starting" | "unavailable";
                        /** @enum {string} */
                        redis?: "ok" | "unavailable";
                        error?: components["schemas"]["ErrorDetail"];
                    };
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description FLOWGATE_METRICS_KEY is set and the request does not carry it (error code unauthorized) */
            401: {
                headers: {
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
