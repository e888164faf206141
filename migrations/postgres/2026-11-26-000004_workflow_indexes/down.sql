DROP INDEX dossiers_agency_finished;
DROP INDEX dossiers_handler_step;
